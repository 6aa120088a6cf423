/**
 * The validated shape of `freeway.yaml` as the rest of Freeway reads it: defaults applied, limits
 * already parsed into core `Limit`s, secrets resolved from the environment. Types only; nothing
 * here reads files or the environment.
 */
import type { Dialect, ModelProfile, RequestQuirks } from '../core/deployment.js';
import type { Limit } from '../core/limits.js';

/** What a provider counts its limits against; extra keys in one project/account add no capacity. */
export const providerScopes = ['key', 'organization', 'project', 'account'] as const;
export type ProviderScope = (typeof providerScopes)[number];

export const routingPreferences = ['latency', 'quality', 'headroom', 'order'] as const;
export type RoutingPreference = (typeof routingPreferences)[number];

export const cacheModes = ['deterministic', 'all', 'off'] as const;
export type CacheMode = (typeof cacheModes)[number];

export interface ServerConfig {
  host: string;
  port: number;
  /** Client keys; when non-empty every route but /healthz needs `Authorization: Bearer <one>`. */
  apiKeys: string[];
  bodyLimitBytes: number;
  requestTimeoutMs: number;
}

export interface StateConfig {
  /** Shared quota, breaker and cache state for several instances. */
  redis?: string;
}

export interface ModelConfig extends ModelProfile {
  /** Limits on this model alone. */
  limits: Limit[];
}

/**
 * One `providers[]` entry. A catalog provider gives `id` and a key and may override `baseUrl`,
 * `limits`, `models`; a custom OpenAI-compatible one gives `baseUrl` and its models. Fields left
 * out are absent here so the gateway can tell "not overridden" from "empty": for a provider the
 * catalog does not know, use `customProviderDefaults`.
 */
export interface ProviderConfig {
  id: string;
  /** `apiKey` and `apiKeys` merged, empty strings dropped. Never log these. */
  apiKeys: string[];
  /**
   * False when keys were written but all resolved empty (`${GROQ_API_KEY:-}` unset): the provider
   * is skipped. An entry with no key field at all is a keyless (local) provider and is enabled.
   */
  enabled: boolean;
  baseUrl?: string;
  dialect?: Dialect;
  scope?: ProviderScope;
  /** Limits on everything sent with one key (per scope). */
  limits?: Limit[];
  models?: ModelConfig[];
  quirks?: RequestQuirks;
  headers?: Record<string, string>;
}

export const customProviderDefaults = { dialect: 'openai', scope: 'key' } as const satisfies {
  dialect: Dialect;
  scope: ProviderScope;
};

export interface RoutingConfig {
  /** Extra model names, each standing for a list of canonical ids tried in order. */
  aliases?: Record<string, string[]>;
  allow?: string[];
  deny?: string[];
  preferences?: Record<string, RoutingPreference>;
  /** Where the latency predictor persists across restarts; absent = `.freeway/latency.json`, null = not persisted. */
  predictorPath?: string | null;
}

export interface CacheConfig {
  mode: CacheMode;
  memory: { maxEntries: number; maxBytes: number };
  /** null turns the disk tier off. */
  sqlitePath: string | null;
  redis: boolean;
  ttlSeconds: { completion: number; embedding: number; models: number; discovery: number };
  warmup: Record<string, unknown>[];
}

export interface ResilienceConfig {
  maxAttempts: number;
  /** Retries allowed as a share of first attempts, so retries cannot amplify an outage. */
  retryBudgetRatio: number;
  firstTokenTimeoutMs: { min: number; max: number };
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  breaker: { failureThreshold: number; halfOpenAfterMs: number };
  hedging: { enabled: boolean };
}

export interface QuotaConfig {
  /**
   * Multiplier (≥ 1) on prompt-token estimates, since estimates for non-OpenAI vocabularies are rough:
   * used when reserving quota and in routing's context-window checks (src/core/token-margin.ts).
   */
  tokenMargin: number;
  defaultMaxWaitMs: number;
  /** Share of every limit that `low` priority requests (batch lines) leave free for interactive ones. */
  interactiveReserve: number;
}

export interface BatchConfig {
  concurrency: number;
  sqlitePath: string | null;
  maxFileBytes: number;
  maxLines: number;
  leaseMs: number;
}

/** OpenTelemetry traces: off unless an OTLP/HTTP endpoint is set here or in OTEL_EXPORTER_OTLP_ENDPOINT. */
export interface TelemetryConfig {
  otlp: { endpoint?: string; headers: Record<string, string> };
}

export interface ShapingConfig {
  /** Drop or clamp soft parameters a provider rejects (learned from its 400s), and retry once. */
  strip: boolean;
  /** Sampling defaults per task kind, applied only to parameters the caller did not set. */
  defaults: Record<string, Record<string, number | boolean | string>>;
  /** `predicted`: reserve a learned output length when max_tokens is absent; `fixed`: always 1,024. */
  outputBudget: 'predicted' | 'fixed';
  /** Where learned parameter lessons and output lengths persist; null: off; absent: beside the predictor's file. */
  statePath?: string | null;
}

export interface FreewayConfig {
  server: ServerConfig;
  state: StateConfig;
  providers: ProviderConfig[];
  routing: RoutingConfig;
  cache: CacheConfig;
  resilience: ResilienceConfig;
  quota: QuotaConfig;
  batch: BatchConfig;
  telemetry: TelemetryConfig;
  shaping: ShapingConfig;
}
