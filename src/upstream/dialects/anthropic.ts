/**
 * Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * with absolute RFC 3339 resets, plus `retry-after` (seconds) and `retry-after-ms`.
 */
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseRfc3339 } from '../reset-formats.js';
import { buildSignal, errorObject, observationFrom, retryAfterFromAnswer, type SignalInput } from '../signal-input.js';

const families = [
  ['requests', 'requests'],
  ['tokens', 'tokens'],
  ['input-tokens', 'tokens'],
  ['output-tokens', 'tokens'],
] as const;

export function parseAnthropicSignal(input: SignalInput): RateLimitSignal {
  const observations: LimitObservation[] = [];
  for (const [family, unit] of families) {
    const prefix = `anthropic-ratelimit-${family}`;
    const observation = observationFrom(unit, undefined, {
      limit: input.header(`${prefix}-limit`),
      remaining: input.header(`${prefix}-remaining`),
      resetAt: parseRfc3339(input.header(`${prefix}-reset`)),
    });
    if (observation) observations.push(observation);
  }
  const retryAfterMs = retryAfterFromAnswer(input);
  if (input.status !== 429) return buildSignal(input, observations, retryAfterMs);
  const type = errorObject(input.body())?.['type'];
  return buildSignal(input, observations, retryAfterMs, typeof type === 'string' ? { name: type } : undefined);
}
