/**
 * The freeway.yaml (as an object) that points a gateway at a fleet: one custom provider per simulated
 * provider, with its advertised limits (never the lowered ones a fault enforces) and its models
 * under their canonical ids. Written for the config contract in interface.md.
 */
import type { FleetSpec, SimLimit } from './fleet-spec.js';
import type { RunningFleet } from './start-fleet.js';

export interface GatewayLimitConfig {
  requests?: number;
  tokens?: number;
  per: string;
  resetTimeZone?: string;
}

export interface GatewayModelConfig {
  id: string;
  upstreamId: string;
  contextWindow: number;
  maxOutputTokens: number;
  params?: number;
  tags: string[];
  limits?: GatewayLimitConfig[];
}

export interface GatewayProviderConfig {
  id: string;
  baseUrl: string;
  apiKey: string;
  dialect: string;
  scope: string;
  limits?: GatewayLimitConfig[];
  models: GatewayModelConfig[];
}

export interface GatewayConfig {
  providers: GatewayProviderConfig[];
  /** Room for the caller to merge server, cache or routing sections. */
  [section: string]: unknown;
}

function limitConfig(limit: SimLimit): GatewayLimitConfig {
  const config: GatewayLimitConfig =
    limit.unit === 'requests' ? { requests: limit.amount, per: limit.per } : { tokens: limit.amount, per: limit.per };
  if (limit.timeZone && limit.timeZone !== 'UTC') config.resetTimeZone = limit.timeZone;
  return config;
}

/** Config for a running fleet, or for a spec whose providers all carry a baseUrl. */
export function fleetGatewayConfig(fleet: RunningFleet | FleetSpec): GatewayConfig {
  const spec = 'spec' in fleet ? fleet.spec : fleet;
  return {
    providers: spec.providers.map((provider) => {
      if (!provider.baseUrl)
        throw new Error(`fleet provider ${provider.id} has no baseUrl: start the fleet first or set baseUrl`);
      const entry: GatewayProviderConfig = {
        id: provider.id,
        baseUrl: provider.baseUrl,
        apiKey: provider.keys[0] as string,
        dialect: provider.dialect,
        scope: provider.scope,
        models: provider.models.map((model) => {
          const tags =
            model.kind === 'embedding' && !model.tags.includes('embedding')
              ? [...model.tags, 'embedding']
              : [...model.tags];
          const config: GatewayModelConfig = {
            id: model.id,
            upstreamId: model.upstreamId,
            contextWindow: model.contextWindow,
            maxOutputTokens: model.maxOutputTokens,
            tags,
          };
          if (model.params !== undefined) config.params = model.params;
          if (model.limits.length > 0) config.limits = model.limits.map(limitConfig);
          return config;
        }),
      };
      if (provider.limits.length > 0) entry.limits = provider.limits.map(limitConfig);
      return entry;
    }),
  };
}
