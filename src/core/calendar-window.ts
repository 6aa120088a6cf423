/**
 * Calendar periods in a time zone: when the current day or month began and when the next one
 * begins, as epoch ms. Owns the wall-clock-to-instant arithmetic (through Intl, so DST shifts are
 * the time zone database's business); must never read the clock itself.
 */
import type { CalendarPeriod } from './limits.js';

export interface CalendarWindow {
  /** Epoch ms of the period's first instant (local midnight). */
  start: number;
  /** Epoch ms of the next period's first instant: the reset. */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far the zone's wall clock is ahead of UTC at this instant, in ms (Pacific: -8 h or -7 h). */
function zoneOffset(epochMs: number, timeZone: string): number {
  const wall = wallTime(epochMs, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** The instant a local midnight happens; Date.UTC normalises day 32 or month 13 for us. */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  const first = guess - zoneOffset(guess, timeZone);
  // The offset at the guess may differ from the offset at the answer when a DST change lies between.
  return guess - zoneOffset(first, timeZone);
}

/** The calendar period (day or month, in `timeZone`, UTC by default) that contains `now`. */
export function calendarWindow(now: number, period: CalendarPeriod, timeZone = 'UTC'): CalendarWindow {
  const wall = wallTime(now, timeZone);
  if (period === 'day') {
    return {
      start: localMidnight(wall.year, wall.month, wall.day, timeZone),
      end: localMidnight(wall.year, wall.month, wall.day + 1, timeZone),
    };
  }
  return {
    start: localMidnight(wall.year, wall.month, 1, timeZone),
    end: localMidnight(wall.year, wall.month + 1, 1, timeZone),
  };
}

/**
 * A per-(period, zone) memo of the current window: the ledger asks on every reservation, and
 * formatToParts costs microseconds we would rather not spend at 10,000 calls a second.
 */
export function createCalendar(): (now: number, period: CalendarPeriod, timeZone?: string) => CalendarWindow {
  const memo = new Map<string, CalendarWindow>();
  return (now, period, timeZone = 'UTC') => {
    const key = `${period}|${timeZone}`;
    const cached = memo.get(key);
    if (cached && now >= cached.start && now < cached.end) return cached;
    const window = calendarWindow(now, period, timeZone);
    memo.set(key, window);
    return window;
  };
}
