/**
 * Canonical cache keys: SHA-256 over sorted-key JSON of everything in a request that can change the
 * answer. Unknown fields are kept on purpose (a needless miss costs less than a wrong hit); only
 * fields known not to change the output are dropped. Must never look at headers or credentials.
 */
import { createHash } from 'node:crypto';

/** Transport or bookkeeping fields: the same request with or without them gets the same answer. */
const IGNORED_FIELDS = new Set([
  'model', // replaced by the resolved model
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'safety_identifier',
  'prompt_cache_key',
]);

/** Bumped when the key's recipe changes, so old entries are simply never found again. */
const KEY_VERSION = 1;

export function computeCacheKey(body: Record<string, unknown>, resolvedModel: string, kind: 'chat' | 'embedding'): string {
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    // OpenAI treats an explicit null as "use the default", exactly like an absent field.
    if (IGNORED_FIELDS.has(field) || value === null || value === undefined) continue;
    kept[field] = value;
  }
  // max_tokens is the deprecated spelling of max_completion_tokens: same meaning, same key.
  if (kept.max_tokens !== undefined && kept.max_completion_tokens === undefined) kept.max_completion_tokens = kept.max_tokens;
  delete kept.max_tokens;
  const material = canonicalJson({ v: KEY_VERSION, kind, model: resolvedModel, request: kept });
  return createHash('sha256').update(material).digest('hex');
}

/** JSON with object keys sorted at every depth; array order is meaningful and kept. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
