/**
 * Turns what a provider said (a RateLimitSignal) into ledger corrections: raised counters where
 * the provider counts more than we do, limits learned from headers, and parking. A pure function
 * of the signal, the buckets and the time; it never reads or writes a store itself.
 */
import { DAY, MONTH, type Limit } from '../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../core/rate-limit-signal.js';
import { bySpecificity, limitId, slotFor, type CalendarLookup, type EffectiveLimit } from './bucket-limits.js';
import type { ParkOperation, SlotFloor } from './quota-store.js';

export interface ResolvedBucket {
  key: string;
  limits: EffectiveLimit[];
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export interface SignalCorrections {
  floors: SlotFloor[];
  parks: ParkOperation[];
  /** New limits, or lower amounts, keyed by bucket: the ledger remembers them (in place of `replaces`, a limit id, when set). */
  learned: { bucketKey: string; limit: Limit; replaces?: string }[];
}

interface Match {
  bucket: ResolvedBucket;
  limit: EffectiveLimit;
}

/**
 * The limit an observation speaks of. A dialect's window is often an assumption ("Groq's -tokens
 * are per minute") that a provider or an operator contradicts, so the stated amount comes first:
 * a limit of the same unit and amount is that limit, whatever window the dialect assumed (the
 * same window first, else the shortest that holds the stated reset). Then the same unit and window,
 * most specific bucket first. Without a window, only an unambiguous unit is safe to correct.
 */
function findLimit(buckets: ResolvedBucket[], observation: LimitObservation, now: number): Match | undefined {
  const sameUnit: Match[] = [];
  for (const bucket of buckets) for (const limit of bucket.limits) if (limit.limit.unit === observation.unit) sameUnit.push({ bucket, limit });
  if (observation.limit !== undefined) {
    const sameAmount = sameUnit.filter((match) => match.limit.limit.amount === observation.limit);
    const sameWindow = sameAmount.find((match) => match.limit.limit.windowMs === observation.windowMs);
    if (sameWindow) return sameWindow;
    const resetIn = observation.resetAt === undefined ? 0 : observation.resetAt - now;
    const holding = sameAmount.filter((match) => match.limit.limit.windowMs >= resetIn).sort((a, b) => a.limit.limit.windowMs - b.limit.limit.windowMs);
    if (holding[0]) return holding[0];
    if (sameAmount[0]) return sameAmount[0];
  }
  if (observation.windowMs === undefined) return sameUnit.length === 1 ? sameUnit[0] : undefined;
  return sameUnit.find((match) => match.limit.limit.windowMs === observation.windowMs);
}

/**
 * The window a limit learned from headers gets: the dialect's assumed one, unless the provider's
 * stated reset says its capacity comes back sooner. A refilling limit with `used` of `amount` taken
 * is full again `used × window / amount` after now, so a reset implies a window; a shorter one wins
 * (and only grows after that, as heavier use states longer resets). Day-sized windows keep theirs:
 * a daily quota states short resets just before midnight.
 */
function learnedWindow(assumedMs: number, knownMs: number | undefined, observation: LimitObservation, now: number): number {
  const { limit, remaining, resetAt } = observation;
  const used = limit !== undefined && remaining !== undefined ? limit - remaining : 0;
  if (assumedMs >= DAY || resetAt === undefined || limit === undefined || used <= 0) return knownMs ?? assumedMs;
  const impliedMs = Math.max(1000, Math.ceil(((resetAt - now) * limit) / used / 100) * 100);
  if (knownMs === undefined && impliedMs >= assumedMs * 0.9) return assumedMs;
  return Math.min(assumedMs, Math.max(knownMs ?? 0, impliedMs));
}

const periodLength = { day: DAY, month: MONTH } as const;

/** The limit a daily or monthly exhaustion refers to, most specific bucket first. */
function findPeriodLimit(buckets: ResolvedBucket[], period: 'day' | 'month'): Match | undefined {
  for (const bucket of buckets) {
    for (const limit of bucket.limits) {
      if (limit.limit.calendar === period || (!limit.limit.calendar && limit.limit.windowMs === periodLength[period])) {
        return { bucket, limit };
      }
    }
  }
  return undefined;
}

export function correctionsFor(
  unordered: ResolvedBucket[],
  signal: RateLimitSignal,
  now: number,
  calendar: CalendarLookup,
  backoff: BackoffPolicy,
): SignalCorrections {
  const buckets = bySpecificity(unordered);
  const corrections: SignalCorrections = { floors: [], parks: [], learned: [] };
  const mostSpecific = buckets[0];
  if (!mostSpecific) return corrections;
  const floor = (match: Match, used: number) =>
    corrections.floors.push({ ...slotFor(match.bucket.key, match.limit, now, calendar), used });
  let spentShortWindow: Match | undefined;
  const exhausted = signal.exhausted;
  // A daily or monthly refusal parks the scope until its calendar reset; counting it again on a
  // learned rolling window would keep the scope shut for hours after that reset.
  const isParkedForPeriod = exhausted?.period === 'day' || exhausted?.period === 'month';

  for (const observation of signal.observations) {
    const match = findLimit(buckets, observation, now);
    if (match) {
      const told = observation.limit;
      let known = match.limit;
      if (told !== undefined && told > 0 && told < known.limit.amount) {
        const limit = { ...known.limit, amount: told };
        corrections.learned.push({ bucketKey: match.bucket.key, limit });
        known = { ...known, limit };
      }
      if (!known.isConfigured && observation.windowMs !== undefined) {
        const windowMs = learnedWindow(observation.windowMs, known.limit.windowMs, observation, now);
        if (windowMs !== known.limit.windowMs) {
          const limit = { ...known.limit, windowMs };
          corrections.learned.push({ bucketKey: match.bucket.key, limit, replaces: known.id });
          known = { ...known, limit, id: limitId(limit) };
        }
      }
      const effective = { ...match, limit: known };
      if (observation.remaining !== undefined && observation.remaining >= 0) floor(effective, known.limit.amount - observation.remaining);
      if (observation.remaining === 0 && known.limit.windowMs < DAY) spentShortWindow = effective;
    } else if (observation.limit !== undefined && observation.limit > 0 && observation.windowMs !== undefined && observation.windowMs > 0) {
      // Unknown to config: learn it as a continuous limit; a calendar quota announces itself by parking us.
      const windowMs = learnedWindow(observation.windowMs, undefined, observation, now);
      const limit: Limit = { unit: observation.unit, amount: observation.limit, windowMs };
      corrections.learned.push({ bucketKey: mostSpecific.key, limit });
      const isCoveredByParking = isParkedForPeriod && limit.windowMs >= DAY;
      if (!isCoveredByParking && observation.remaining !== undefined && observation.remaining >= 0) {
        floor({ bucket: mostSpecific, limit: { limit, id: limitId(limit), isLearned: true, isConfigured: false } }, limit.amount - observation.remaining);
      }
    }
  }

  if (!exhausted) {
    for (const bucket of buckets) corrections.parks.push({ key: bucket.key, kind: 'success' });
    return corrections;
  }
  const reason = exhausted.name ? `${exhausted.period}: ${exhausted.name}` : exhausted.period;
  if (exhausted.period === 'day' || exhausted.period === 'month') {
    const match = findPeriodLimit(buckets, exhausted.period);
    const timeZone = match?.limit.limit.timeZone ?? buckets.flatMap((b) => b.limits).find((l) => l.limit.timeZone)?.limit.timeZone;
    const until = exhausted.resetAt ?? calendar(now, exhausted.period, timeZone).end;
    if (match) floor(match, match.limit.limit.amount);
    corrections.parks.push({ key: (match?.bucket ?? mostSpecific).key, kind: 'until', until, reason });
    return corrections;
  }
  const key = (spentShortWindow?.bucket ?? mostSpecific).key;
  // A short window refills: the reset it states is when it is full again (Groq's reset-tokens: up
  // to a minute, or more when output counted afterwards overdrew it), long after a request fits
  // again. Parking until then shut the deployment for that whole minute after one 429. Retry-After
  // is the provider's word on when to call again, so it wins when stated; the spent limit's floor
  // (remaining 0, above) spaces what follows.
  const until = signal.retryAfterMs !== undefined ? now + signal.retryAfterMs : (exhausted.resetAt ?? -Infinity);
  if (until > now) corrections.parks.push({ key, kind: 'until', until, reason });
  else corrections.parks.push({ key, kind: 'backoff', baseMs: backoff.baseMs, maxMs: backoff.maxMs, reason });
  return corrections;
}
