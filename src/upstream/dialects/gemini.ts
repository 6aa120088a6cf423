/**
 * Gemini (AI Studio): no rate-limit headers; a RESOURCE_EXHAUSTED body (an object, or wrapped in an
 * array by the OpenAI-compatible endpoint) lists QuotaFailure violations and a RetryInfo delay. A
 * quotaId with `PerDay` means the project's daily quota is spent until midnight Pacific time.
 */
import { DAY, HOUR, MINUTE } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { nextMidnight, parseCount, parseProtoDuration } from '../reset-formats.js';
import {
  buildSignal,
  errorMessage,
  errorObject,
  isRecord,
  periodFromText,
  retryAfterFromAnswer,
  type ExhaustedPeriod,
  type SignalInput,
} from '../signal-input.js';

/** Google resets AI Studio's requests-per-day at midnight in this zone (ai.google.dev rate-limits). */
const DAILY_RESET_ZONE = 'America/Los_Angeles';

export function parseGeminiSignal(input: SignalInput): RateLimitSignal {
  const error = errorObject(input.body());
  const details = Array.isArray(error?.['details']) ? (error['details'] as unknown[]).filter(isRecord) : [];
  const isExhausted = input.status === 429 || error?.['status'] === 'RESOURCE_EXHAUSTED';
  const retryDelay = parseProtoDuration(details.find((d) => typeOf(d) === 'RetryInfo')?.['retryDelay']);
  const retryAfterMs = retryAfterFromAnswer(input) ?? retryDelay;
  if (!isExhausted) return buildSignal(input, [], retryAfterMs);

  const observations: LimitObservation[] = [];
  const quotaIds: string[] = [];
  for (const detail of details) {
    if (typeOf(detail) !== 'QuotaFailure' || !Array.isArray(detail['violations'])) continue;
    for (const violation of (detail['violations'] as unknown[]).filter(isRecord)) {
      const quotaId = typeof violation['quotaId'] === 'string' ? violation['quotaId'] : '';
      quotaIds.push(quotaId);
      const windowMs = /PerDay/i.test(quotaId) ? DAY : /PerHour/i.test(quotaId) ? HOUR : /PerMinute/i.test(quotaId) ? MINUTE : undefined;
      const observation: LimitObservation = { unit: /Token/i.test(quotaId) ? 'tokens' : 'requests', remaining: 0 };
      if (windowMs !== undefined) observation.windowMs = windowMs;
      const limit = parseCount(violation['quotaValue']);
      if (limit !== undefined) observation.limit = limit;
      if (windowMs === DAY) observation.resetAt = nextMidnight(input.now, DAILY_RESET_ZONE);
      else if (retryAfterMs !== undefined) observation.resetAt = input.now + retryAfterMs;
      observations.push(observation);
    }
  }
  const daily = quotaIds.find((id) => /PerDay/i.test(id));
  const period: ExhaustedPeriod | undefined = daily
    ? 'day'
    : quotaIds.some((id) => /Per(?:Minute|Hour|Second)/i.test(id))
      ? 'short'
      : periodFromText(errorMessage(input));
  return buildSignal(input, observations, retryAfterMs, {
    ...(period ? { period } : {}),
    ...(period === 'day' ? { resetAt: nextMidnight(input.now, DAILY_RESET_ZONE) } : {}),
    ...((daily ?? quotaIds[0]) ? { name: daily ?? quotaIds[0] } : {}),
  });
}

/** `type.googleapis.com/google.rpc.RetryInfo` → `RetryInfo`. */
const typeOf = (detail: Record<string, unknown>): string => {
  const type = detail['@type'];
  return typeof type === 'string' ? (type.split('.').pop() ?? '') : '';
};
