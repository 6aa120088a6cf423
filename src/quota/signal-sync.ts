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
  /** New limits, or lower amounts, keyed by bucket: the ledger remembers them. */
  learned: { bucketKey: string; limit: Limit }[];
}

interface Match {
  bucket: ResolvedBucket;
  limit: EffectiveLimit;
}

/** The limit an observation speaks of: same unit and window, in the most specific bucket that has one. */
function findLimit(buckets: ResolvedBucket[], observation: LimitObservation): Match | undefined {
  const matches: Match[] = [];
  for (const bucket of buckets) {
    for (const limit of bucket.limits) {
      if (limit.limit.unit !== observation.unit) continue;
      if (observation.windowMs !== undefined && limit.limit.windowMs !== observation.windowMs) continue;
      matches.push({ bucket, limit });
    }
  }
  // Without a window, only an unambiguous unit is safe to correct: unknown stays unknown.
  if (observation.windowMs === undefined && matches.length !== 1) return undefined;
  return matches[0];
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
    const match = findLimit(buckets, observation);
    if (match) {
      const told = observation.limit;
      let amount = match.limit.limit.amount;
      if (told !== undefined && told > 0 && told < amount) {
        amount = told;
        corrections.learned.push({ bucketKey: match.bucket.key, limit: { ...match.limit.limit, amount } });
      }
      const effective = { ...match, limit: { ...match.limit, limit: { ...match.limit.limit, amount } } };
      if (observation.remaining !== undefined && observation.remaining >= 0) floor(effective, amount - observation.remaining);
      if (observation.remaining === 0 && match.limit.limit.windowMs < DAY) spentShortWindow = effective;
    } else if (observation.limit !== undefined && observation.limit > 0 && observation.windowMs !== undefined && observation.windowMs > 0) {
      // Unknown to config: learn it as a continuous limit; a calendar quota announces itself by parking us.
      const limit: Limit = { unit: observation.unit, amount: observation.limit, windowMs: observation.windowMs };
      corrections.learned.push({ bucketKey: mostSpecific.key, limit });
      const isCoveredByParking = isParkedForPeriod && limit.windowMs >= DAY;
      if (!isCoveredByParking && observation.remaining !== undefined && observation.remaining >= 0) {
        floor({ bucket: mostSpecific, limit: { limit, id: limitId(limit), isLearned: true } }, limit.amount - observation.remaining);
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
  // Both stated: the later one, since calling before either is a wasted 429.
  const stated = [exhausted.resetAt, signal.retryAfterMs === undefined ? undefined : now + signal.retryAfterMs];
  const until = Math.max(...stated.filter((at): at is number => at !== undefined), -Infinity);
  if (until > now) corrections.parks.push({ key, kind: 'until', until, reason });
  else corrections.parks.push({ key, kind: 'backoff', baseMs: backoff.baseMs, maxMs: backoff.maxMs, reason });
  return corrections;
}
