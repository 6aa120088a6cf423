/**
 * Every way a provider writes "when" or "how long": Go durations, float and integer seconds, HTTP
 * dates, epoch milliseconds, RFC 3339, proto Durations, and delta-seconds in IETF fields. Each parser
 * returns milliseconds (a delta or an epoch) or undefined; it never turns a missing, garbled or
 * negative value into zero, because zero would read as "no wait" and send traffic into a spent quota.
 */
import { calendarWindow } from '../core/calendar-window.js';

// Sticky: each exec must start where the last part ended, so one pass both checks and sums.
const goDurationPart = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const goUnitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go `time.Duration` string (`1m26.4s`, `577.5ms`, `6m0s`, `12ms`) in ms; a bare `0` is zero. */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  if (text === '') return undefined;
  let total = 0;
  goDurationPart.lastIndex = 0;
  while (goDurationPart.lastIndex < text.length) {
    const part = goDurationPart.exec(text);
    if (!part) return undefined;
    total += Number(part[1]) * (goUnitMs[part[2] ?? ''] ?? 0);
  }
  return total;
}

const decimalPattern = /^\d+(?:\.\d+)?$/;
const integerPattern = /^\d+$/;

/** Non-negative seconds, fractional allowed (Cerebras `33011.38`), in ms. */
export function parseFloatSeconds(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && decimalPattern.test(text) ? Number(text) * 1000 : undefined;
}

/** Non-negative whole seconds (Retry-After, Mistral's `ratelimitbysize-reset`), in ms. */
export function parseIntegerSeconds(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && integerPattern.test(text) ? Number(text) * 1000 : undefined;
}

/** Non-negative milliseconds as written (`retry-after-ms`). */
export function parseMilliseconds(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && decimalPattern.test(text) ? Number(text) : undefined;
}

const httpDatePattern = /^[A-Za-z]{3,9},? \d{1,2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT$/;

/** An HTTP-date (RFC 9110: `Wed, 21 Oct 2015 07:28:00 GMT`, or the obsolete RFC 850 form) as epoch ms. */
export function parseHttpDate(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (text === undefined || !httpDatePattern.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

const rfc3339Pattern = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp (Anthropic's `2026-01-01T00:00:30Z`) as epoch ms. */
export function parseRfc3339(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (text === undefined || !rfc3339Pattern.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

const protoDurationPattern = /^(\d+(?:\.\d{1,9})?)s$/;

/** A protobuf Duration in its JSON form (`26s`, `26.550023s`; Gemini's RetryInfo.retryDelay) in ms. */
export function parseProtoDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = protoDurationPattern.exec(value.trim());
  return match ? Number(match[1]) * 1000 : undefined;
}

/**
 * Epoch milliseconds written as a number or a string (OpenRouter's `X-RateLimit-Reset`). A value
 * too small to be a current epoch in ms is taken as epoch seconds: both appear in the wild.
 */
export function parseEpochMilliseconds(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && decimalPattern.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) return undefined;
  return number < 1e11 ? number * 1000 : number;
}

/** Retry-After (RFC 9110): delta-seconds or an HTTP-date, as a delay in ms from `now`. A past date is unknown. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const seconds = parseFloatSeconds(value);
  if (seconds !== undefined) return seconds;
  const at = parseHttpDate(value);
  return at !== undefined && at >= now ? at - now : undefined;
}

/** A relative reset that some providers write as a Go duration and others as plain seconds. */
export function parseDurationOrSeconds(value: string | undefined): number | undefined {
  return parseGoDuration(value) ?? parseFloatSeconds(value);
}

const retryHintPattern = /(?:try again|retry) in (?:about )?((?:\d+(?:\.\d+)?(?:ms|s|m|h))+|\d+(?:\.\d+)?\s*(?:seconds?|secs?|milliseconds?))\b/i;

/** The wait that OpenAI-style messages spell out ("Please try again in 18.642s", "retry in 26.55s"), in ms. */
export function parseRetryHint(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const hint = retryHintPattern.exec(message)?.[1];
  if (hint === undefined) return undefined;
  const spelled = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(hint);
  if (spelled && /^(?:seconds?|secs?|milliseconds?)$/i.test(spelled[2] ?? '')) {
    return Number(spelled[1]) * (/^milli/i.test(spelled[2] ?? '') ? 1 : 1000);
  }
  return parseGoDuration(hint);
}

/** A whole, non-negative count (limit or remaining); negative values (Azure's `-1`) are unknown. */
export function parseCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return decimalPattern.test(text) ? Number(text) : undefined;
}

/** The next midnight after `now` in an IANA time zone, as epoch ms (calendar quotas: Cloudflare UTC, Gemini Pacific). */
export const nextMidnight = (now: number, timeZone = 'UTC'): number => calendarWindow(now, 'day', timeZone).end;
