/**
 * Whether a request may be answered from the cache and whether its answer may be kept. Pure: it
 * reads the body, the client's `cache-control` and the config, and must never touch a tier.
 *
 * The decision's `status` is the `x-freeway-cache` header before the lookup: `miss` when the answer
 * will come from upstream and may be stored (the gateway turns it into `hit` on a hit), `bypass`
 * when the cache takes no part at all.
 */
import type { CacheConfig } from './cache-config.js';

export interface CachePolicy {
  lookup: boolean;
  store: boolean;
  status: 'miss' | 'bypass';
}

const BYPASS: CachePolicy = { lookup: false, store: false, status: 'bypass' };

export function decideCachePolicy(
  body: Record<string, unknown>,
  requestHeaders: { 'cache-control'?: string },
  config: Pick<CacheConfig, 'mode'>,
): CachePolicy {
  if (config.mode === 'off') return BYPASS;
  // Most chat requests are not deterministic: decided before the header is read.
  if (config.mode === 'deterministic' && !isDeterministic(body)) return BYPASS;
  const directives = parseCacheControl(requestHeaders['cache-control']);
  if (directives.has('no-store')) return BYPASS;
  // no-cache (and max-age=0, its HTTP synonym) asks for a fresh answer, which then refreshes the entry.
  if (directives.has('no-cache') || directives.get('max-age') === '0') return { lookup: false, store: true, status: 'miss' };
  return { lookup: true, store: true, status: 'miss' };
}

/**
 * An embedding request (an `input`, no `messages`) always is; a chat request is at temperature 0,
 * or with no temperature but a seed. Even chat answers are only "mostly" deterministic upstream,
 * which is why caching them is the default and caching everything is an explicit choice.
 */
export function isDeterministic(body: Record<string, unknown>): boolean {
  const { temperature, seed } = body;
  if (body.input !== undefined && body.messages === undefined) return true;
  if (temperature === 0) return true;
  return (temperature === undefined || temperature === null) && typeof seed === 'number';
}

function parseCacheControl(header: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', value = ''] = part.trim().toLowerCase().split('=', 2);
    if (name) directives.set(name, value.replace(/^"|"$/g, ''));
  }
  return directives;
}
