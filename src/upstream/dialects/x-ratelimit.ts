/**
 * The `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` family that OpenAI started and Groq
 * copied: Go-duration resets relative to now. The dialects differ only in what window each header
 * counts, so they pass it in; this never guesses a window the provider did not state.
 */
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseDurationOrSeconds } from '../reset-formats.js';
import { buildSignal, errorMessage, errorObject, observationFrom, periodFromText, retryAfterFromAnswer, type SignalInput } from '../signal-input.js';

const units = ['requests', 'tokens'] as const;
// Built once: a header name assembled per answer costs more than the lookup itself.
const headerNames = units.map((unit) => ({
  unit,
  reset: `x-ratelimit-reset-${unit}`,
  limit: `x-ratelimit-limit-${unit}`,
  remaining: `x-ratelimit-remaining-${unit}`,
}));

export function parseXRateLimit(input: SignalInput, windows: { requests?: number; tokens?: number }): RateLimitSignal {
  const observations: LimitObservation[] = [];
  for (const names of headerNames) {
    const reset = parseDurationOrSeconds(input.header(names.reset));
    const observation = observationFrom(names.unit, windows[names.unit], {
      limit: input.header(names.limit),
      remaining: input.header(names.remaining),
      resetAt: reset === undefined ? undefined : input.now + reset,
    });
    if (observation) observations.push(observation);
  }
  if (input.status !== 429) return buildSignal(input, observations, retryAfterFromAnswer(input));
  const error = errorObject(input.body());
  const code = error?.['code'] ?? error?.['type'];
  return buildSignal(input, observations, retryAfterFromAnswer(input), {
    period: periodFromText(errorMessage(input)),
    ...(typeof code === 'string' ? { name: code } : {}),
  });
}
