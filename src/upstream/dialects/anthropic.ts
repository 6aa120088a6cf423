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
// Built once: a header name assembled per answer costs more than the lookup itself.
const headerNames = families.map(([family, unit]) => ({
  unit,
  limit: `anthropic-ratelimit-${family}-limit`,
  remaining: `anthropic-ratelimit-${family}-remaining`,
  reset: `anthropic-ratelimit-${family}-reset`,
}));

export function parseAnthropicSignal(input: SignalInput): RateLimitSignal {
  const observations: LimitObservation[] = [];
  for (const names of headerNames) {
    const observation = observationFrom(names.unit, undefined, {
      limit: input.header(names.limit),
      remaining: input.header(names.remaining),
      resetAt: parseRfc3339(input.header(names.reset)),
    });
    if (observation) observations.push(observation);
  }
  const retryAfterMs = retryAfterFromAnswer(input);
  if (input.status !== 429) return buildSignal(input, observations, retryAfterMs);
  const type = errorObject(input.body())?.['type'];
  return buildSignal(input, observations, retryAfterMs, typeof type === 'string' ? { name: type } : undefined);
}
