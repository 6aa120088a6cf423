/**
 * Together: per-second dynamic limits in `x-ratelimit-*` (requests) and `x-tokenlimit-*` (tokens),
 * with `x-ratelimit-reset` as a suggested retry interval in seconds. A 429 with a `dynamic_*`
 * error type means we outran our own rate; a 503 means the platform is busy, which spends no quota
 * and so sets no `exhausted`.
 */
import { SECOND } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseFloatSeconds } from '../reset-formats.js';
import { buildSignal, errorObject, isRecord, observationFrom, retryAfterFromAnswer, type SignalInput } from '../signal-input.js';

export function parseTogetherSignal(input: SignalInput): RateLimitSignal {
  const reset = parseFloatSeconds(input.header('x-ratelimit-reset'));
  const resetAt = reset === undefined ? undefined : input.now + reset;
  const observations: LimitObservation[] = [];
  const requests = observationFrom('requests', SECOND, {
    limit: input.header('x-ratelimit-limit-dynamic') ?? input.header('x-ratelimit-limit'),
    remaining: input.header('x-ratelimit-remaining'),
    resetAt,
  });
  if (requests) observations.push(requests);
  const tokens = observationFrom('tokens', SECOND, {
    limit: input.header('x-tokenlimit-limit'),
    remaining: input.header('x-tokenlimit-remaining'),
    resetAt: undefined,
  });
  if (tokens) observations.push(tokens);

  const retryAfterMs = retryAfterFromAnswer(input) ?? (input.status === 429 ? reset : undefined);
  if (input.status !== 429) return buildSignal(input, observations, retryAfterMs);
  const type = errorType(input.body());
  return buildSignal(input, observations, retryAfterMs, { period: 'short', ...(type ? { name: type } : {}) });
}

function errorType(body: unknown): string | undefined {
  const error = errorObject(body);
  for (const value of [isRecord(body) ? body['error_type'] : undefined, error?.['error_type'], error?.['type'], error?.['code']]) {
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}
