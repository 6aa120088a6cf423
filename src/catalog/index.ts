/**
 * The catalog of free LLM providers: providers and models as validated data, canonical ids, the
 * README-style listing, and live model discovery (`pullCatalog`). Other rooms import from here only.
 *
 *   loadCatalog(): Catalog                                  validated once, memoised; read-only
 *   findCatalogProvider(id, catalog?): CatalogProvider | undefined
 *   resolveProviderBaseUrl(provider, env?): string | undefined   fills {CLOUDFLARE_ACCOUNT_ID}; throws naming a missing variable
 *   multiProviderPools(catalog?): Map<canonicalId, providerIds[]>  pools served by two or more active providers
 *   canonicalIdFor(name), displayNameFor(upstreamId)        one id per model across providers
 *   renderCatalogMarkdown(catalog): string                  README-style listing
 *   pullCatalog(options, deps?): Promise<PullResult>        asks providers for their model lists (see discovery/)
 *
 * CatalogProvider: id, name, category ('free'|'trial'), status, baseUrl, apiStyle, keyEnvVars, extraEnvVars,
 * dialect, limitScope ('key'|'organization'|'project'|'account'), limitsPerModel, limits (CatalogLimit = core
 * Limit + source/asOf), neuronsPerDay, credits, caveats, quirks, headers, models, unlistedModels.
 * CatalogModel: id (canonical), upstreamId, displayName, contextWindow?, maxOutputTokens?, params?, tags, limits.
 * Unknown facts stay undefined; every limit, credit and scope carries its source and date.
 */
export type {
  Catalog,
  CatalogLimit,
  CatalogModel,
  CatalogProvider,
  Credit,
  LimitScope,
  SourcedFact,
} from './catalog-schema.js';
export { canonicalIdFor, displayNameFor } from './canonical-id.js';
export { findCatalogProvider, loadCatalog, multiProviderPools, resolveProviderBaseUrl } from './load-catalog.js';
export { renderCatalogMarkdown } from './render-catalog-markdown.js';
export { pullCatalog, discoveryBaseUrlEnvVar, defaultCacheTtlMs } from './discovery/pull-catalog.js';
export type { PullDeps, PullOptions, PullResult, ProviderOutcome } from './discovery/pull-catalog.js';
export { renderPullReport } from './discovery/render-pull-report.js';
export { modelListers, type ModelLister } from './discovery/model-listers.js';
