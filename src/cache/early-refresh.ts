/**
 * Stampede protection near expiry (XFetch, Vattani et al.) and cache warm-up. XFetch lets each
 * reader decide on its own, with a probability that rises as expiry nears, to refresh early; the
 * fleet then makes about one early refresh per TTL window without any lock. Pure functions over
 * injected time and randomness; nothing here calls upstream by itself.
 */
import type { CacheEntry } from './cached-response.js';

/**
 * True when this read should refresh the entry now: `now − computeMs·β·ln(random) ≥ expiresAt`.
 * `random` behaves like Math.random, in [0, 1); β > 1 refreshes earlier, β < 1 later.
 */
export function shouldRefreshEarly(
  entry: Pick<CacheEntry, 'expiresAt' | 'computeMs'>,
  now: number,
  random: () => number,
  beta = 1,
): boolean {
  if (now >= entry.expiresAt) return true;
  if (entry.computeMs <= 0) return false;
  // 1 − random() maps [0, 1) to (0, 1], keeping ln() finite for Math.random.
  const draw = 1 - random();
  const headStart = -entry.computeMs * beta * Math.log(draw > 0 ? draw : Number.MIN_VALUE);
  return now + headStart >= entry.expiresAt;
}

export interface WarmUpResult {
  succeeded: number;
  failed: Array<{ index: number; error: unknown }>;
}

/**
 * Runs every request once through `run` (which goes through the gateway and so stores the answer).
 * One at a time by default: warm-up spends the same free quota that live traffic needs.
 */
export async function warmUp<R>(
  requests: ReadonlyArray<R>,
  run: (request: R) => Promise<unknown>,
  options: { concurrency?: number } = {},
): Promise<WarmUpResult> {
  const result: WarmUpResult = { succeeded: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      try {
        await run(requests[index] as R);
        result.succeeded++;
      } catch (error) {
        result.failed.push({ index, error });
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, requests.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return result;
}
