/**
 * Turns the way people write limits (`{requests: 30, per: minute}`, `per: 90s`) into core `Limit`
 * objects. It owns the `per` vocabulary and duration syntax; it never decides how a limit is
 * enforced (that is the quota ledger's job).
 */
import { DAY, HOUR, MINUTE, MONTH, SECOND, type Limit } from '../core/limits.js';
import { ConfigError } from './config-error.js';

export interface LimitSpec {
  requests?: number;
  tokens?: number;
  /** second | minute | hour | day | month, a duration such as `90s`, or a number of seconds. */
  per: string | number;
  /** IANA zone for day/month resets; UTC when absent. */
  resetTimeZone?: string;
}

const namedWindows = new Map<string, { windowMs: number; calendar?: 'day' | 'month' }>([
  ['second', { windowMs: SECOND }],
  ['minute', { windowMs: MINUTE }],
  ['hour', { windowMs: HOUR }],
  ['day', { windowMs: DAY, calendar: 'day' }],
  ['month', { windowMs: MONTH, calendar: 'month' }],
]);

const unitMs = new Map([
  ['ms', 1],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
  ['d', DAY],
]);

export const perExpectation = 'expected second, minute, hour, day, month or a duration like 500ms, 90s, 2m, 1h';

/**
 * `'500ms'`, `'90s'`, `'2m'`, `'1h'`, `'1d'`, and sums such as `'1h30m'` or `'1.5s'`, in milliseconds.
 * Throws a ConfigError for anything else, including zero.
 */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    total += Number(match[1]) * (unitMs.get(match[2] ?? '') ?? Number.NaN);
    consumed = part.lastIndex;
  }
  if (trimmed === '' || consumed !== trimmed.length || !Number.isFinite(total) || total <= 0) {
    throw new ConfigError({ message: 'expected a positive duration like 500ms, 90s, 2m, 1h or 1d' });
  }
  return Math.round(total);
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One limit spec → a core Limit. Errors carry `field` (requests, tokens, per, resetTimeZone) relative to the spec. */
export function parseLimitSpec(spec: LimitSpec): Limit {
  const hasRequests = spec.requests !== undefined;
  const hasTokens = spec.tokens !== undefined;
  if (hasRequests === hasTokens) {
    throw new ConfigError({
      field: hasRequests ? 'tokens' : 'requests',
      message: 'a limit has exactly one of requests or tokens',
    });
  }
  const unit = hasRequests ? 'requests' : 'tokens';
  const amount = spec[unit];
  if (amount === undefined || !Number.isInteger(amount) || amount <= 0) {
    throw new ConfigError({ field: unit, message: 'expected a positive whole number' });
  }
  const window = resolveWindow(spec.per);
  const limit: Limit = { unit, amount, windowMs: window.windowMs };
  if (window.calendar !== undefined) limit.calendar = window.calendar;
  if (spec.resetTimeZone !== undefined) {
    if (window.calendar === undefined) {
      throw new ConfigError({
        field: 'resetTimeZone',
        message: 'only day and month limits reset on the calendar; drop resetTimeZone or use per: day|month',
      });
    }
    if (!isValidTimeZone(spec.resetTimeZone)) {
      throw new ConfigError({
        field: 'resetTimeZone',
        message: 'expected an IANA time zone such as UTC or America/Los_Angeles',
      });
    }
    limit.timeZone = spec.resetTimeZone;
  }
  return limit;
}

function resolveWindow(per: string | number): { windowMs: number; calendar?: 'day' | 'month' } {
  if (typeof per === 'number') {
    if (Number.isFinite(per) && per > 0) return { windowMs: Math.round(per * SECOND) };
  } else {
    const named = namedWindows.get(per.trim().toLowerCase());
    if (named !== undefined) return named;
    try {
      return { windowMs: parseDurationMs(per) };
    } catch {
      // fall through to the error that names every accepted form
    }
  }
  throw new ConfigError({ field: 'per', message: `${perExpectation} (a bare number counts seconds)` });
}
