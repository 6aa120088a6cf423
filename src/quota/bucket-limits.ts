/**
 * A bucket's effective limits (configured, narrowed or extended by what providers told us) and
 * their translation into store slots. Owns limit identity: a limit is known by its unit and its
 * window (or calendar period), which is also how provider observations find it. Never touches a store.
 */
import type { Limit } from '../core/limits.js';
import type { CalendarWindow } from '../core/calendar-window.js';
import type { SlotSpec } from './quota-store.js';

export interface BucketSpec {
  /** Ledger key, e.g. `groq:key1` (shared by a key's models) or `groq:key1:llama-3.3-70b` (one model). */
  key: string;
  limits: Limit[];
}

export interface EffectiveLimit {
  limit: Limit;
  /** `unit|window`: the slot suffix and the identity observations match on. */
  id: string;
  /** True when this limit, or its lower amount, came from a provider's headers rather than config. */
  isLearned: boolean;
  /** True when config declares this limit (perhaps with a lower amount learned since). */
  isConfigured: boolean;
}

export type CalendarLookup = (now: number, period: 'day' | 'month', timeZone?: string) => CalendarWindow;

export const limitId = (limit: Pick<Limit, 'unit' | 'windowMs' | 'calendar'>): string =>
  `${limit.unit}|${limit.calendar ?? limit.windowMs}`;

/** Configured limits, with amounts lowered where a provider said its limit is lower, plus learned ones. */
export function effectiveLimits(configured: readonly Limit[], learned: ReadonlyMap<string, Limit> | undefined): EffectiveLimit[] {
  const result: EffectiveLimit[] = [];
  const seen = new Set<string>();
  for (const limit of configured) {
    const id = limitId(limit);
    seen.add(id);
    const told = learned?.get(id);
    if (told && told.amount < limit.amount) result.push({ limit: { ...limit, amount: told.amount }, id, isLearned: true, isConfigured: true });
    else result.push({ limit, id, isLearned: false, isConfigured: true });
  }
  for (const [id, limit] of learned ?? []) if (!seen.has(id)) result.push({ limit, id, isLearned: true, isConfigured: false });
  return result;
}

export function slotFor(bucketKey: string, limit: EffectiveLimit, now: number, calendar: CalendarLookup): SlotSpec {
  const { amount, windowMs, calendar: period, timeZone } = limit.limit;
  return {
    id: `${bucketKey}|${limit.id}`,
    amount,
    windowMs,
    periodEnd: period ? calendar(now, period, timeZone).end : 0,
  };
}

/** Buckets from most to least specific: `groq:key1:model` extends `groq:key1`, so the longer key is narrower. */
export function bySpecificity<T extends { key: string }>(buckets: readonly T[]): T[] {
  return [...buckets].sort((a, b) => b.key.length - a.key.length);
}
