/**
 * Builds the deployments — one per (provider, key, model) — from freeway.yaml, filling catalog
 * providers' URLs, dialects, models and limits from the catalog. Config wins where both speak.
 * This is the only place where a provider's key is attached to anything.
 */
import { findCatalogProvider, resolveProviderBaseUrl, type CatalogProvider } from '../catalog/index.js';
import type { FreewayConfig, ModelConfig, ProviderConfig } from '../config/index.js';
import { customProviderDefaults } from '../config/index.js';
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import type { Limit } from '../core/limits.js';

export function buildDeployments(config: FreewayConfig, env: NodeJS.ProcessEnv): Deployment[] {
  return config.providers.filter((p) => p.enabled).flatMap((provider) => providerDeployments(provider, env));
}

function providerDeployments(provider: ProviderConfig, env: NodeJS.ProcessEnv): Deployment[] {
  const catalog = findCatalogProvider(provider.id);
  const baseUrl = provider.baseUrl ?? (catalog ? resolveProviderBaseUrl(catalog, env) : undefined);
  if (!baseUrl) {
    throw new FreewayError('invalid_request', `Provider '${provider.id}' is not in the catalog: give it a baseUrl and models`);
  }
  const dialect = provider.dialect ?? catalog?.dialect ?? customProviderDefaults.dialect;
  const scope = provider.scope ?? catalog?.limitScope ?? customProviderDefaults.scope;
  const models = provider.models ?? catalog?.models.map(fromCatalogModel) ?? [];
  // Catalog limits that the provider counts per model go on each model's bucket, not the shared one.
  const catalogSharesLimits = catalog?.limitsPerModel !== true;
  const scopeLimits = provider.limits ?? (catalog && catalogSharesLimits ? catalog.limits : []);
  const perModelFromCatalog = !provider.limits && catalog && !catalogSharesLimits ? catalog.limits : [];
  const keys = provider.apiKeys.length > 0 ? provider.apiKeys : [''];
  const quirks = { ...catalog?.quirks, ...provider.quirks };
  const headers = { ...catalog?.headers, ...provider.headers };

  return keys.flatMap((apiKey, index) => {
    const keyLabel = `key${index + 1}`;
    // Keys of one organisation, project or account share its quota; only per-key scopes add capacity.
    const scopeKey = `${provider.id}:${scope === 'key' ? keyLabel : scope}`;
    return models.map(
      (model): Deployment => ({
        id: keys.length > 1 ? `${provider.id}/${model.id}#${index + 1}` : `${provider.id}/${model.id}`,
        providerId: provider.id,
        keyLabel,
        baseUrl,
        apiKey,
        dialect,
        model: {
          id: model.id,
          upstreamId: model.upstreamId,
          tags: model.tags,
          ...optional(model),
        },
        scopeKey,
        modelScopeKey: `${scopeKey}:${model.id}`,
        scopeLimits,
        modelLimits: [...perModelFromCatalog, ...model.limits],
        quirks,
        headers,
      }),
    );
  });
}

function optional(model: ModelConfig): Partial<Deployment['model']> {
  const result: Partial<Deployment['model']> = {};
  if (model.displayName !== undefined) result.displayName = model.displayName;
  if (model.contextWindow !== undefined) result.contextWindow = model.contextWindow;
  if (model.maxOutputTokens !== undefined) result.maxOutputTokens = model.maxOutputTokens;
  if (model.params !== undefined) result.params = model.params;
  return result;
}

function fromCatalogModel(model: CatalogProvider['models'][number]): ModelConfig {
  const limits: Limit[] = model.limits;
  return { ...model, tags: [...model.tags], limits };
}
