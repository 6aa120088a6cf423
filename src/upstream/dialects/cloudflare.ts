/**
 * Cloudflare Workers AI: no headers, only internal error codes. 3036 means the account's daily free
 * neurons are spent until 00:00 UTC; 3040 means Cloudflare is out of capacity, which is no quota of
 * ours, so it is reported as a short cool-down named `capacity` rather than as a spent quota.
 */
import type { RateLimitSignal } from '../../core/rate-limit-signal.js';
import { nextMidnight } from '../reset-formats.js';
import { buildSignal, isRecord, retryAfterFromAnswer, type ExhaustedHint, type SignalInput } from '../signal-input.js';

export function parseCloudflareSignal(input: SignalInput): RateLimitSignal {
  const codes = errorCodes(input.body());
  const text = input.bodyText ?? '';
  const retryAfterMs = retryAfterFromAnswer(input);
  let hint: ExhaustedHint | undefined;
  if (codes.includes(3036) || /daily free allocation/i.test(text)) {
    hint = { period: 'day', resetAt: nextMidnight(input.now), name: 'daily-neurons' };
  } else if (codes.includes(3040) || /no more data centers/i.test(text)) {
    hint = { period: 'short', name: 'capacity' };
  }
  return buildSignal(input, [], retryAfterMs, hint);
}

/** Codes from `{errors: [{code}]}` (the native envelope) or `{error: {code}}` (the OpenAI-compatible one). */
function errorCodes(body: unknown): number[] {
  if (!isRecord(body)) return [];
  const entries = Array.isArray(body['errors']) ? (body['errors'] as unknown[]) : [body['error']];
  const codes: number[] = [];
  for (const entry of entries) {
    const code = isRecord(entry) ? Number(entry['code']) : NaN;
    if (Number.isFinite(code)) codes.push(code);
  }
  return codes;
}
