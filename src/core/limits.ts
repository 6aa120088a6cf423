/**
 * What a limit is, independent of where it was written: N requests or N tokens per window.
 * Windows of a day or a month reset on the calendar; shorter ones refill continuously.
 */
export type LimitUnit = 'requests' | 'tokens';

export type CalendarPeriod = 'day' | 'month';

export interface Limit {
  unit: LimitUnit;
  amount: number;
  /** Window length in milliseconds (a month counts as 30 days for rates; its reset is on the calendar). */
  windowMs: number;
  /** Set for day and month limits: they reset at midnight / the 1st in `timeZone`. */
  calendar?: CalendarPeriod;
  /** IANA time zone of calendar resets; UTC when absent. */
  timeZone?: string;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const MONTH = 30 * DAY;

/** A short label such as "30 requests/minute" for listings and state. */
export function describeLimit(limit: Limit): string {
  const windows: [number, string][] = [
    [SECOND, 'second'],
    [MINUTE, 'minute'],
    [HOUR, 'hour'],
    [DAY, 'day'],
    [MONTH, 'month'],
  ];
  const named = limit.calendar ?? windows.find(([ms]) => ms === limit.windowMs)?.[1];
  return `${limit.amount} ${limit.unit}/${named ?? `${limit.windowMs}ms`}`;
}
