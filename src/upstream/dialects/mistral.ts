/**
 * Mistral: undocumented headers that public clients read: `ratelimitbysize-{limit,remaining,reset}`
 * (tokens, reset in whole seconds) and `x-ratelimitbysize-{limit,remaining}-{minute,month}`. The
 * bare form is reported without a window, since no source says which one it counts.
 */
import { MINUTE, MONTH } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseIntegerSeconds } from '../reset-formats.js';
import { buildSignal, errorMessage, observationFrom, periodFromText, retryAfterFromAnswer, type SignalInput } from '../signal-input.js';

export function parseMistralSignal(input: SignalInput): RateLimitSignal {
  const reset = parseIntegerSeconds(input.header('ratelimitbysize-reset'));
  const resetAt = reset === undefined ? undefined : input.now + reset;
  const observations: LimitObservation[] = [];
  const push = (observation: LimitObservation | undefined) => observation && observations.push(observation);
  push(observationFrom('tokens', undefined, { limit: input.header('ratelimitbysize-limit'), remaining: input.header('ratelimitbysize-remaining'), resetAt }));
  push(
    observationFrom('tokens', MINUTE, {
      limit: input.header('x-ratelimitbysize-limit-minute'),
      remaining: input.header('x-ratelimitbysize-remaining-minute'),
      resetAt: undefined,
    }),
  );
  push(
    observationFrom('tokens', MONTH, {
      limit: input.header('x-ratelimitbysize-limit-month'),
      remaining: input.header('x-ratelimitbysize-remaining-month'),
      resetAt: undefined,
    }),
  );
  // The bare reset speaks of the tokens limit: it says when to retry only when tokens are what ran out.
  const areTokensSpent = observations[0]?.windowMs === undefined && observations[0]?.remaining === 0;
  const retryAfterMs = retryAfterFromAnswer(input) ?? (input.status === 429 && areTokensSpent ? reset : undefined);
  if (input.status !== 429) return buildSignal(input, observations, retryAfterMs);
  const period = periodFromText(errorMessage(input));
  return buildSignal(input, observations, retryAfterMs, period ? { period } : undefined);
}
