/**
 * Cerebras: the window is in the header name (`x-ratelimit-remaining-requests-day`,
 * `-tokens-minute`) and resets are float seconds (`33011.38`). Hour headers are read too, since
 * Cerebras publishes hourly limits even though its header list names only day and minute.
 */
import { DAY, HOUR, MINUTE } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseFloatSeconds } from '../reset-formats.js';
import { buildSignal, errorMessage, errorObject, observationFrom, periodFromText, retryAfterFromAnswer, type SignalInput } from '../signal-input.js';

const windows = [
  ['minute', MINUTE],
  ['hour', HOUR],
  ['day', DAY],
] as const;
// Built once: a header name assembled per answer costs more than the lookup itself.
const headerNames = (['requests', 'tokens'] as const).flatMap((unit) =>
  windows.map(([name, windowMs]) => ({
    unit,
    windowMs,
    reset: `x-ratelimit-reset-${unit}-${name}`,
    limit: `x-ratelimit-limit-${unit}-${name}`,
    remaining: `x-ratelimit-remaining-${unit}-${name}`,
  })),
);

export function parseCerebrasSignal(input: SignalInput): RateLimitSignal {
  const observations: LimitObservation[] = [];
  for (const names of headerNames) {
    const reset = parseFloatSeconds(input.header(names.reset));
    const observation = observationFrom(names.unit, names.windowMs, {
      limit: input.header(names.limit),
      remaining: input.header(names.remaining),
      resetAt: reset === undefined ? undefined : input.now + reset,
    });
    if (observation) observations.push(observation);
  }
  if (input.status !== 429) return buildSignal(input, observations, retryAfterFromAnswer(input));
  const code = errorObject(input.body())?.['code'];
  return buildSignal(input, observations, retryAfterFromAnswer(input), {
    period: periodFromText(errorMessage(input)),
    ...(typeof code === 'string' ? { name: code } : {}),
  });
}
