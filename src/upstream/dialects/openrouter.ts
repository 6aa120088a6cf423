/**
 * OpenRouter: on its own 429s the `X-RateLimit-*` values sit inside the JSON body at
 * `error.metadata.headers`, with the reset in epoch milliseconds; `free-models-per-day` and a daily
 * `limit_source` mean the whole account's daily quota is spent (it resets at UTC midnight). A 429
 * that carries `provider_name`/`provider_code` came from the provider behind it: a short cool-down.
 */
import { DAY, MINUTE } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { nextMidnight, parseEpochMilliseconds } from '../reset-formats.js';
import { buildSignal, errorObject, isRecord, observationFrom, retryAfterFromAnswer, type ExhaustedHint, type SignalInput } from '../signal-input.js';

export function parseOpenRouterSignal(input: SignalInput): RateLimitSignal {
  const error = errorObject(input.body());
  const metadata = isRecord(error?.['metadata']) ? error['metadata'] : undefined;
  const bodyHeaders = isRecord(metadata?.['headers']) ? metadata['headers'] : {};
  const read = (name: string): unknown => {
    const fromHeader = input.header(name.toLowerCase());
    if (fromHeader !== undefined) return fromHeader;
    for (const key in bodyHeaders) if (key.toLowerCase() === name.toLowerCase()) return bodyHeaders[key];
    return undefined;
  };

  const message = typeof error?.['message'] === 'string' ? error['message'] : '';
  const limitSource = typeof metadata?.['limit_source'] === 'string' ? metadata['limit_source'] : undefined;
  const quotaName = limitSource ?? /free-models-per-[a-z]+/i.exec(message)?.[0];
  const provider = metadata?.['provider_name'] ?? metadata?.['provider_code'];
  const providerName = typeof provider === 'string' || typeof provider === 'number' ? String(provider) : undefined;
  const isDaily = /day|daily/i.test(quotaName ?? '');
  const isPerMinute = /min/i.test(quotaName ?? '');

  const observations: LimitObservation[] = [];
  const resetAt = parseEpochMilliseconds(read('X-RateLimit-Reset'));
  const observation = observationFrom('requests', isDaily ? DAY : isPerMinute ? MINUTE : undefined, {
    limit: read('X-RateLimit-Limit'),
    remaining: read('X-RateLimit-Remaining'),
    resetAt,
  });
  if (observation) observations.push(observation);

  const retryAfterMs = retryAfterFromAnswer(input);
  if (input.status !== 429) return buildSignal(input, observations, retryAfterMs);
  let hint: ExhaustedHint;
  if (isDaily) hint = { period: 'day', resetAt: resetAt ?? nextMidnight(input.now), name: quotaName ?? 'daily' };
  else if (isPerMinute && quotaName) hint = { period: 'short', name: quotaName, ...(resetAt !== undefined ? { resetAt } : {}) };
  else if (providerName !== undefined) hint = { period: 'short', name: `upstream:${providerName}` };
  else hint = {};
  return buildSignal(input, observations, retryAfterMs, hint);
}
