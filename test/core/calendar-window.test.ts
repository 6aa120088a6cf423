import { describe, expect, it } from 'vitest';
import { calendarWindow } from '../../src/core/calendar-window.js';

const utc = (iso: string) => Date.parse(iso);

describe('calendar windows', () => {
  it('has UTC days and months by default', () => {
    expect(calendarWindow(utc('2026-01-31T23:59:59.999Z'), 'day')).toEqual({ start: utc('2026-01-31T00:00:00Z'), end: utc('2026-02-01T00:00:00Z') });
    expect(calendarWindow(utc('2026-12-15T10:00:00Z'), 'month')).toEqual({ start: utc('2026-12-01T00:00:00Z'), end: utc('2027-01-01T00:00:00Z') });
  });

  it('puts Pacific midnight at 08:00Z in winter and 07:00Z in summer', () => {
    expect(calendarWindow(utc('2026-01-15T20:00:00Z'), 'day', 'America/Los_Angeles')).toEqual({
      start: utc('2026-01-15T08:00:00Z'),
      end: utc('2026-01-16T08:00:00Z'),
    });
    expect(calendarWindow(utc('2026-07-04T06:59:59Z'), 'day', 'America/Los_Angeles')).toEqual({
      start: utc('2026-07-03T07:00:00Z'),
      end: utc('2026-07-04T07:00:00Z'),
    });
  });

  it('gives the 23-hour and 25-hour days of the DST changes', () => {
    const spring = calendarWindow(utc('2026-03-08T12:00:00Z'), 'day', 'America/Los_Angeles');
    expect(spring).toEqual({ start: utc('2026-03-08T08:00:00Z'), end: utc('2026-03-09T07:00:00Z') });
    expect(spring.end - spring.start).toBe(23 * 3600_000);
    const autumn = calendarWindow(utc('2026-11-01T12:00:00Z'), 'day', 'America/Los_Angeles');
    expect(autumn).toEqual({ start: utc('2026-11-01T07:00:00Z'), end: utc('2026-11-02T08:00:00Z') });
    expect(autumn.end - autumn.start).toBe(25 * 3600_000);
  });

  it('starts a Pacific month at local midnight on the 1st, and turns the year', () => {
    expect(calendarWindow(utc('2026-12-31T23:00:00Z'), 'month', 'America/Los_Angeles')).toEqual({
      start: utc('2026-12-01T08:00:00Z'),
      end: utc('2027-01-01T08:00:00Z'),
    });
    // 2027-01-01T03:00Z is still December 31st in Los Angeles.
    expect(calendarWindow(utc('2027-01-01T03:00:00Z'), 'month', 'America/Los_Angeles').end).toBe(utc('2027-01-01T08:00:00Z'));
  });

  it('handles zones east of UTC and half-hour offsets', () => {
    expect(calendarWindow(utc('2026-06-01T12:00:00Z'), 'day', 'Asia/Kolkata')).toEqual({
      start: utc('2026-05-31T18:30:00Z'),
      end: utc('2026-06-01T18:30:00Z'),
    });
  });
});
