/**
 * Calendar arithmetic for day and month limits: when does the current window end in a given IANA
 * zone (Gemini resets at midnight Pacific, most others at midnight UTC). Uses Intl only; no tables.
 */

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

/** The zone's offset from UTC at `epochMs`, in ms (positive east of Greenwich). */
function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch ms of the next midnight (day) or next 1st of the month (month) in `timeZone`, strictly after `epochMs`. */
export function nextCalendarReset(epochMs: number, period: 'day' | 'month', timeZone = 'UTC'): number {
  const offset = timeZone === 'UTC' ? 0 : zoneOffsetMs(epochMs, timeZone);
  const local = new Date(epochMs + offset);
  const localNext =
    period === 'day'
      ? Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1)
      : Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1);
  if (timeZone === 'UTC') return localNext;
  // The offset can change between now and the reset (daylight saving): correct once with the offset there.
  const guess = localNext - offset;
  return localNext - zoneOffsetMs(guess, timeZone);
}
