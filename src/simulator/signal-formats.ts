/**
 * The value formats providers write in their rate-limit signals: Go durations (OpenAI, Groq), float
 * seconds (Cerebras), RFC 3339 (Anthropic), proto Duration (Gemini), integer seconds (Retry-After).
 * Written here from the facts page, independently of the gateway's parsers.
 */
import type { LimitView } from './provider-limits.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** Go's time.Duration String(): `577.5ms`, `7.66s`, `2m59.56s`, `6m0s`, `2h0m0s`; `0s` for zero. */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trim(ms, 3)}ms`;
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  const seconds = trim((ms % MINUTE) / 1000, 3);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Cerebras: seconds as a float, e.g. `33011.38`. */
export function floatSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(2);
}

/** Whole seconds, rounded up and at least 1 when anything is left to wait (Retry-After, Mistral). */
export function wholeSeconds(ms: number): string {
  return String(ms <= 0 ? 0 : Math.max(1, Math.ceil(ms / 1000)));
}

/** RFC 3339 without fractions, rounded up to the second (Anthropic). */
export function rfc3339(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How a limit's window is named: `day` for calendar days and 24 h windows, and so on. */
export function periodOf(view: LimitView): 'second' | 'minute' | 'hour' | 'day' | 'month' {
  if (view.limit.calendar) return view.limit.calendar;
  const ms = view.limit.windowMs;
  if (ms <= 1000) return 'second';
  if (ms <= MINUTE) return 'minute';
  if (ms <= HOUR) return 'hour';
  if (ms <= DAY) return 'day';
  return 'month';
}

/** The limit closest to running out among those of one unit (ties: the one that takes longest to reset). */
export function tightest(views: LimitView[], unit: 'requests' | 'tokens'): LimitView | undefined {
  let best: LimitView | undefined;
  for (const view of views) {
    if (view.limit.unit !== unit) continue;
    if (!best) {
      best = view;
      continue;
    }
    const share = view.remaining / view.amount;
    const bestShare = best.remaining / best.amount;
    if (share < bestShare || (share === bestShare && view.resetMs > best.resetMs)) best = view;
  }
  return best;
}

/** The limit of one unit with the given period, else the tightest of that unit. */
export function byPeriod(views: LimitView[], unit: 'requests' | 'tokens', period: string): LimitView | undefined {
  return (
    tightest(
      views.filter((v) => periodOf(v) === period),
      unit,
    ) ?? tightest(views, unit)
  );
}

export const clampRemaining = (view: LimitView): string => String(Math.max(0, view.remaining));
