/**
 * The contract between the ledger and where its counters live (memory or Redis), plus the slot
 * arithmetic both stores must share. A store knows slots (one counter per limit of a bucket) and
 * parking records; it never knows limits' meaning, calendars, providers or signals: the ledger
 * turns those into plain numbers (amount, window, the current period's reset) before calling.
 */

/** One counter: a limit of a bucket, in the numbers a store needs. */
export interface SlotSpec {
  /** Store key of the counter: `bucketKey|unit|window`. */
  id: string;
  amount: number;
  /** Refill window in ms (continuous slots refill `amount` per `windowMs`). */
  windowMs: number;
  /** Calendar slots: epoch ms when the current period ends. 0 for continuous refill. */
  periodEnd: number;
}

export interface SlotCharge extends SlotSpec {
  /** Units to take now (1 request, or N tokens). */
  cost: number;
  /** Fill the slot no higher than this (below `amount`: a share kept free for others); `amount` when absent. */
  ceiling?: number;
  /**
   * Refilling slots: when this charge finds less than `cost` in use, the slot refills from no sooner
   * than this epoch ms (the provider starts refilling when the call arrives, which only its answer
   * bounds); a settle on the slot (the call's answer) releases it at once.
   */
  holdUntil?: number;
}

export interface SlotAdjustment extends SlotSpec {
  /** Units to give back (negative) or take (positive) after the fact; `periodEnd` is the reservation's. */
  delta: number;
}

export interface SlotFloor extends SlotSpec {
  /** The provider says at least this much is used now. */
  used: number;
}

export type ParkOperation =
  | { key: string; kind: 'until'; until: number; reason: string }
  /** Park for base·2^level ms (capped), level growing per parking that starts while unparked. */
  | { key: string; kind: 'backoff'; baseMs: number; maxMs: number; reason: string }
  /** A success: the backoff starts from base again next time. */
  | { key: string; kind: 'success' };

export interface StoreReserveRequest {
  now: number;
  /** Bucket keys whose parking blocks this reservation. */
  parks: string[];
  slots: SlotCharge[];
  /**
   * Ms a charge may take to reach the provider (0 when absent). A refilling slot is judged as if
   * its last charge began to refill only this long after it was made, so requests admitted at the
   * exact moment of refill cannot reach the provider a little early and be refused.
   */
  guardMs?: number;
}

export type StoreReserveResult =
  /**
   * Per slot: `usedBefore`, the units in use just before this charge (so the ledger can tell a
   * charge that started a refill); `isHeld`, whether the charge set the slot's hold (holdUntil).
   */
  | { ok: true; backend: string; usedBefore?: number[]; isHeld?: boolean[] }
  /** `blocking`: index into parks, or parks.length + index into slots. retryAt is Infinity when a slot can never fit. */
  | { ok: false; retryAt: number; blocking: number };

export interface SlotState {
  /** Units in use now (after refill or calendar reset). */
  used: number;
}

export interface ParkState {
  until: number;
  reason: string;
  level: number;
}

export interface StoreHealth {
  backend: string;
  /** True while serving from a local fallback because the shared store is unreachable. */
  isDegraded: boolean;
  /** Operations served by the fallback since start. */
  fallbackOperations: number;
  /** Times the shared store became unreachable. */
  outages: number;
}

export interface QuotaStore {
  reserve(request: StoreReserveRequest): Promise<StoreReserveResult>;
  /** Settles a reservation on the backend that made it (see StoreReserveResult.backend). */
  settle(now: number, backend: string, adjustments: SlotAdjustment[]): Promise<void>;
  /** Raises used counts to the provider's word and applies parking, in one step. */
  apply(now: number, floors: SlotFloor[], parks: ParkOperation[]): Promise<void>;
  read(now: number, slots: SlotSpec[], parks: string[]): Promise<{ slots: SlotState[]; parks: (ParkState | undefined)[] }>;
  health(): StoreHealth;
  /**
   * Tells `listener` when another instance sharing this store gave capacity back (a refund at
   * settle), naming the slots; a shared store only. Returns a function that stops listening.
   */
  watchReturns?(listener: (slotIds: readonly string[]) => void): () => void;
  close(): Promise<void>;
}

/**
 * A counter's stored form: `used` units as of `stamp` (continuous: last update ms, or later while a
 * hold keeps it from refilling; calendar: its period's end).
 */
export interface StoredSlot {
  used: number;
  stamp: number;
}

/** Units in use at `now`. The Lua scripts in redis-quota-scripts.ts repeat this exact arithmetic. */
export function usedNow(slot: SlotSpec, stored: StoredSlot | undefined, now: number): number {
  if (!stored) return 0;
  if (slot.periodEnd > 0) return stored.stamp < slot.periodEnd ? 0 : stored.used;
  if (slot.amount <= 0 || slot.windowMs <= 0) return stored.used;
  return Math.max(0, stored.used - (Math.max(0, now - stored.stamp) * slot.amount) / slot.windowMs);
}

/** When `cost` more units fit under `ceiling`, given `used` now: `now` if they fit, Infinity if they never will. */
export function fitTime(slot: SlotSpec, used: number, cost: number, now: number, ceiling = slot.amount): number {
  if (used + cost <= ceiling) return now;
  if (cost > ceiling || slot.amount <= 0 || slot.windowMs <= 0) return Infinity;
  if (slot.periodEnd > 0) return slot.periodEnd;
  return now + Math.ceil(((used + cost - ceiling) * slot.windowMs) / slot.amount);
}

/**
 * fitTime with a delivery guard: a refilling slot is judged by its usage `guardMs` ago (extrapolated
 * back from its stamp, never below empty), as the provider may see our charges that much later.
 * That costs a full bucket `guardMs` of refill and leaves the steady rate alone. The reserve script
 * repeats this arithmetic too.
 */
export function guardedFitTime(slot: SlotCharge, stored: StoredSlot | undefined, now: number, guardMs: number): number {
  const { cost, ceiling = slot.amount } = slot;
  const at = fitTime(slot, usedNow(slot, stored, now), cost, now, ceiling);
  if (!stored || slot.periodEnd > 0 || at === Infinity || slot.amount <= 0 || slot.windowMs <= 0) return at;
  // A held slot (stamp ahead) refills from its stamp on: judged the same way, as if now were then.
  if (guardMs <= 0 && stored.stamp <= now) return at;
  const decayFrom = stored.stamp + Math.max(0, guardMs);
  const checked = Math.max(0, stored.used - ((Math.max(now, stored.stamp) - decayFrom) * slot.amount) / slot.windowMs);
  if (checked + cost <= ceiling) return now;
  // A hold ends at an answer, far sooner than its stamp says as a rule: wait as if it ended now, and look again.
  return Math.min(stored.stamp, now) + Math.max(0, guardMs) + Math.ceil(((stored.used + cost - ceiling) * slot.windowMs) / slot.amount);
}

/** The stamp a slot stores after an update at `now`. */
export const stampFor = (slot: SlotSpec, now: number): number => (slot.periodEnd > 0 ? slot.periodEnd : now);

/** Whether a charge of `slot` onto `usedBefore` sets the slot's hold; the reserve script repeats this test. */
export const setsHold = (slot: SlotCharge, usedBefore: number): boolean =>
  slot.holdUntil !== undefined && slot.holdUntil > 0 && slot.periodEnd === 0 && usedBefore < slot.cost;

/** The stamp a reservation leaves: a hold set or kept, else now (a stamp never moves back). */
export const reservedStamp = (slot: SlotCharge, stored: StoredSlot | undefined, now: number, isHeld: boolean): number => {
  if (slot.periodEnd > 0) return slot.periodEnd;
  const kept = Math.max(now, stored?.stamp ?? now);
  return isHeld ? Math.max(kept, slot.holdUntil ?? 0) : kept;
};
