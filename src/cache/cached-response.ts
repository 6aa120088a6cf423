/**
 * What the cache keeps: an answer as plain JSON plus the bookkeeping every tier shares, and the rule
 * for which answers may be kept at all. An error, a cut-off stream or a body without its payload is
 * never storable: serving it again would repeat a failure for a whole TTL.
 */
import type { CacheKind } from './cache-config.js';

/** An OpenAI-shaped response body (chat completion, embedding list, model list, discovery data). */
export type CachedResponse = Record<string, unknown>;

/** Who produced an answer, kept beside it (never inside it) so a hit can say where it came from. */
export interface CacheOrigin {
  provider: string;
  upstreamModel: string;
}

/** One stored answer. Times are epoch milliseconds of the injected clock. */
export interface CacheEntry {
  kind: CacheKind;
  value: CachedResponse;
  storedAt: number;
  expiresAt: number;
  /** How long the upstream took to produce the answer (ms); XFetch refreshes slow answers earlier. */
  computeMs: number;
  origin?: CacheOrigin;
}

/** Why an answer was refused, or undefined when it may be stored. */
export function whyNotStorable(kind: CacheKind, value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const body = value as Record<string, unknown>;
  if (body.error !== undefined && body.error !== null) return 'error body';
  if (kind === 'chat') return whyChatNotStorable(body);
  if (kind === 'embedding') return whyEmbeddingNotStorable(body);
  if (kind === 'models' && !Array.isArray(body.data)) return 'model list without data';
  return undefined;
}

function whyChatNotStorable(body: Record<string, unknown>): string | undefined {
  const { choices } = body;
  if (!Array.isArray(choices) || choices.length === 0) return 'no choices';
  for (const choice of choices as unknown[]) {
    if (choice === null || typeof choice !== 'object') return 'malformed choice';
    const { finish_reason: finishReason, message } = choice as Record<string, unknown>;
    // A missing finish_reason is a stream cut before its end; 'error' is OpenRouter's mid-stream failure.
    if (typeof finishReason !== 'string' || finishReason === '') return 'truncated (no finish_reason)';
    if (finishReason === 'error') return 'finish_reason error';
    if (message === null || typeof message !== 'object') return 'choice without message';
  }
  return undefined;
}

function whyEmbeddingNotStorable(body: Record<string, unknown>): string | undefined {
  const { data } = body;
  if (!Array.isArray(data) || data.length === 0) return 'no data';
  for (const item of data as unknown[]) {
    const embedding = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).embedding : undefined;
    // base64 encoding_format answers a string; the default answers a list of numbers.
    const isVector = Array.isArray(embedding) ? embedding.length > 0 : typeof embedding === 'string' && embedding.length > 0;
    if (!isVector) return 'embedding without vector';
  }
  return undefined;
}
