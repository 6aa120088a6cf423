/**
 * A deployment is one (provider, key, model): the unit that quota, breakers and latency are tracked for.
 * Built by the gateway from config and catalog; every other module reads it and never builds one.
 */
import type { Limit } from './limits.js';

/** How a provider signals rate limits (see shared/docs/provider-signals.md). */
export const dialects = [
  'openai',
  'groq',
  'cerebras',
  'openrouter',
  'gemini',
  'mistral',
  'cloudflare',
  'together',
  'anthropic',
  'ietf',
  'none',
] as const;
export type Dialect = (typeof dialects)[number];

/** The tags Freeway understands: capabilities the router checks. Any other tag is the operator's label. */
export const modelTags = ['code', 'tools', 'json', 'vision', 'reasoning', 'embedding', 'audio'] as const;
export type ModelTag = (typeof modelTags)[number];

const knownTags: ReadonlySet<string> = new Set(modelTags);
export const isModelTag = (tag: string): tag is ModelTag => knownTags.has(tag);

export interface ModelProfile {
  /** The canonical id clients use; one pool across providers. */
  id: string;
  /** The id sent upstream. */
  upstreamId: string;
  displayName?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Billions of parameters. */
  params?: number;
  /** Capabilities (`ModelTag`s) and the operator's own labels (any other tag, e.g. `eu-hosted`), usable in routing rules as `tag:<name>`. */
  tags: string[];
}

/** Per-provider request quirks, as data. */
export interface RequestQuirks {
  /** Parameters the provider rejects: dropped before sending. */
  dropParams?: string[];
  /** Send the output cap under this name. */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
}

export interface Deployment {
  /** `provider/model` plus `#n` when a provider has several keys: stable, and safe to show. */
  id: string;
  providerId: string;
  /** A short non-secret label for the key ("key1"); never the key itself. */
  keyLabel: string;
  baseUrl: string;
  apiKey: string;
  dialect: Dialect;
  model: ModelProfile;
  /** Ledger bucket for limits counted per key/org/project/account (shared by the provider's models). */
  scopeKey: string;
  /** Ledger bucket for limits counted per model within that scope. */
  modelScopeKey: string;
  /** Limits on everything sent with this key (scopeKey). */
  scopeLimits: Limit[];
  /** Limits on this model alone (modelScopeKey). */
  modelLimits: Limit[];
  quirks: RequestQuirks;
  /** Extra headers sent on every call (Cloudflare account routing, OpenRouter attribution). */
  headers?: Record<string, string>;
}
