/**
 * Builds the catalog from the data modules: validates every record with zod, turns limit facts into core
 * Limits (calendar resets where the provider has them), names each model and gives it its canonical id.
 * Memoised; it never reads the network or the disk.
 */
import { DAY, HOUR, MINUTE, MONTH, SECOND } from '../core/limits.js';
import { canonicalIdFor, displayNameFor, paramsFromName, tagsFromName } from './canonical-id.js';
import {
  rawProviderSchema,
  type Catalog,
  type CatalogLimit,
  type CatalogModel,
  type CatalogProvider,
  type LimitFact,
  type RawModel,
  type RawProvider,
} from './catalog-schema.js';
import { freeProviders } from './data/free-providers.js';
import { largeFreeProviders } from './data/large-free-providers.js';
import { trialProviders } from './data/trial-providers.js';

const windowMs = { second: SECOND, minute: MINUTE, hour: HOUR, day: DAY, month: MONTH } as const;

export const catalogOrigin = {
  // Named so a reader can find it: the upstream project and commit, not a file of this repository.
  facts: 'the free-llm-api-resources project (https://github.com/cheahjs/free-llm-api-resources, commit e6765bc of 2026-07-18), corrected where stale',
  asOf: '2026-07-18',
} as const;

export function toCatalogLimit(fact: LimitFact, calendarTimeZone: string | null): CatalogLimit {
  const limit: CatalogLimit = {
    unit: fact.unit,
    amount: fact.amount,
    windowMs: windowMs[fact.per],
    source: fact.source,
    asOf: fact.asOf,
  };
  if ((fact.per === 'day' || fact.per === 'month') && calendarTimeZone !== null) {
    limit.calendar = fact.per;
    limit.timeZone = calendarTimeZone;
  }
  if (fact.note !== undefined) limit.note = fact.note;
  return limit;
}

/** One model record as the catalog serves it; also used for models that discovery finds. */
export function toCatalogModel(raw: RawModel, calendarTimeZone: string | null): CatalogModel {
  const knownName = raw.displayName ?? displayNameFor(raw.upstreamId);
  const displayName = knownName ?? raw.upstreamId;
  const params = raw.params ?? paramsFromName(displayName);
  const model: CatalogModel = {
    id: canonicalIdFor(displayName),
    upstreamId: raw.upstreamId,
    displayName,
    hasDisplayName: knownName !== undefined,
    tags: [...new Set([...(raw.tags ?? []), ...tagsFromName(displayName, raw.upstreamId)])],
    limits: (raw.limits ?? []).map((fact) => toCatalogLimit(fact, calendarTimeZone)),
  };
  if (raw.contextWindow !== undefined) model.contextWindow = raw.contextWindow;
  if (raw.maxOutputTokens !== undefined) model.maxOutputTokens = raw.maxOutputTokens;
  if (params !== undefined) model.params = params;
  return model;
}

export function buildProvider(raw: RawProvider): CatalogProvider {
  const parsed = rawProviderSchema.parse(raw);
  const { models, limits, quirks, limitScope, ...rest } = parsed;
  const { scope, perModel, ...limitScopeSource } = limitScope;
  const provider: CatalogProvider = {
    ...rest,
    limitScope: scope,
    limitsPerModel: perModel,
    limitScopeSource,
    quirks: { ...quirks },
    limits: limits.map((fact) => toCatalogLimit(fact, parsed.calendarTimeZone)),
    models: models.map((model) => toCatalogModel(model, parsed.calendarTimeZone)),
  };
  const seen = new Set<string>();
  for (const model of provider.models) {
    if (seen.has(model.id)) throw new Error(`Catalog: ${provider.id} serves canonical id ${model.id} twice`);
    seen.add(model.id);
  }
  return provider;
}

export function buildCatalog(rawProviders: readonly RawProvider[]): Catalog {
  const providers = rawProviders.map((raw) => {
    try {
      return buildProvider(raw);
    } catch (error) {
      throw new Error(
        `Catalog: provider ${raw.id} is invalid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
  const ids = new Set<string>();
  for (const provider of providers) {
    if (ids.has(provider.id)) throw new Error(`Catalog: provider id ${provider.id} appears twice`);
    ids.add(provider.id);
  }
  return { origin: { ...catalogOrigin }, providers };
}

let memo: Catalog | undefined;

/** The built-in catalog, validated once per process. Treat it as read-only. */
export function loadCatalog(): Catalog {
  memo ??= buildCatalog([...freeProviders, ...largeFreeProviders, ...trialProviders]);
  return memo;
}

export function findCatalogProvider(id: string, catalog: Catalog = loadCatalog()): CatalogProvider | undefined {
  return catalog.providers.find((provider) => provider.id === id);
}

/** Every canonical id served by two or more active providers, with who serves it. */
export function multiProviderPools(catalog: Catalog = loadCatalog()): Map<string, string[]> {
  const pools = new Map<string, string[]>();
  for (const provider of catalog.providers) {
    if (provider.status !== 'active') continue;
    for (const model of provider.models) pools.set(model.id, [...(pools.get(model.id) ?? []), provider.id]);
  }
  return new Map([...pools].filter(([, providers]) => providers.length >= 2).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The provider's base URL with `{VAR}` placeholders filled from `env` (Cloudflare's account id).
 * Throws naming the missing variable; returns undefined when the facts do not know the URL.
 */
export function resolveProviderBaseUrl(
  provider: Pick<CatalogProvider, 'id' | 'baseUrl'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (provider.baseUrl === null) return undefined;
  return provider.baseUrl.replace(/\{([A-Z][A-Z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${provider.id} needs ${name} in the environment`);
    return encodeURIComponent(value);
  });
}
