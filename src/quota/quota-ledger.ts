/**
 * The quota ledger: reserves one request and N tokens on every limit of every bucket a call
 * names, all or nothing; settles reservations against real usage; corrects itself from provider
 * signals; parks exhausted buckets; and reports its state. Written here rather than borrowed
 * because no maintained library reserves across several limits atomically (see provider-signals §2).
 * It knows buckets and limits only: never providers, HTTP, or where counters are stored.
 */
import type { Clock } from '../core/clock.js';
import type { Limit } from '../core/limits.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { effectiveLimits, limitId, slotFor, type BucketSpec, type EffectiveLimit } from './bucket-limits.js';
import { createCalendar } from '../core/calendar-window.js';
import type { QuotaStore, SlotAdjustment, SlotCharge, SlotSpec, StoreHealth } from './quota-store.js';
import { createRefusalMemo } from './refusal-memo.js';
import { correctionsFor, type BackoffPolicy, type ResolvedBucket } from './signal-sync.js';
import { createWaitingClaims, priorityRank } from './waiting-claims.js';
import { answerAdjustments, type AnsweredCall } from './answer-charge.js';

export interface ReserveRequest {
  buckets: BucketSpec[];
  /** Prompt estimate × margin + max_tokens: the caller computes it. */
  tokens: number;
  /**
   * The part of `tokens` the provider counts only once it is written (output, where the provider
   * admits on the prompt and charges the answer afterwards: Groq and most others). It must fit now,
   * but it is held rather than charged: a charge made now would start refilling now, while the
   * provider's starts when the answer ends, so a long answer would land on a window the ledger
   * believes refilled and the calls admitted into it would meet 429s. At settle the hold is released
   * and the real output is charged, when the provider counts it. Holds are this instance's own.
   */
  deferredTokens?: number;
  /**
   * Identifies one waiting request across its attempts (any object; end it with `release`). A
   * refused request claims the tokens it needs on the refilling token limits of the deployment
   * that refused it, and a younger request of the same or lower priority fits only beside the
   * oldest such claim: a long request waiting for 1,800 tokens is served once that much has
   * refilled, rather than starving while short ones arriving after it take every refill. Claims
   * are this instance's own.
   */
  claimant?: object;
  /** `low` (batch lines) leaves the interactive reserve of every limit free; default `normal`. */
  priority?: 'high' | 'normal' | 'low';
}

/** What was taken, to hand back to `settle`. Opaque beyond these fields. */
export interface Reservation {
  readonly id: number;
  readonly bucketKeys: readonly string[];
  readonly tokens: number;
  /** Of `tokens`, held until settle rather than charged (ReserveRequest.deferredTokens). */
  readonly deferredTokens?: number;
  readonly reservedAt: number;
}

export type BlockingLimit = Limit | 'parked' | 'concurrency';

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      /** Epoch ms when every limit (and parking) could next fit this request; Infinity if it never can. */
      retryAt: number;
      blocking: { key: string; limit: BlockingLimit; reason?: string };
    };

export interface SettleOutcome {
  /** Real total usage: the difference from the reservation is refunded or charged. */
  tokens?: number;
  /** false: the request was never made or not charged, so the request is refunded too. */
  requestCharged?: boolean;
}

export interface LimitState extends Limit {
  remaining: number;
  /** Epoch ms of the next reset: calendar period end, or when a refilling limit is full again. */
  resetAt: number;
  isLearned: boolean;
}

export interface BucketState {
  key: string;
  limits: LimitState[];
  parkedUntil?: number;
  parkReason?: string;
}

export interface QuotaSnapshot {
  at: number;
  store: StoreHealth;
  buckets: BucketState[];
}

export interface QuotaLedger {
  tryReserve(request: ReserveRequest): Promise<ReserveResult>;
  settle(reservation: Reservation, outcome?: SettleOutcome): Promise<void>;
  /**
   * Call on every upstream answer, even with an empty signal: a signal without `exhausted` counts as
   * success. Given the answered call's reservation (not yet settled), the request limits it charged
   * refill from the answer where the provider's refill may have started only then (see
   * refillHoldMs): the call arrived at the latest now.
   */
  observe(buckets: BucketSpec[], signal: RateLimitSignal, reservation?: Reservation): Promise<void>;
  /** Blocks a bucket until `until` (epoch ms); an earlier parking never shortens a later one. */
  park(key: string, until: number, reason: string): Promise<void>;
  /** Makes buckets visible in snapshots before their first reservation. */
  declare(buckets: BucketSpec[]): void;
  snapshot(): Promise<QuotaSnapshot>;
  /** The request `claimant` stopped waiting (admitted or gave up): its claim no longer holds anyone back. */
  release?(claimant: object): void;
}

export interface QuotaLedgerOptions {
  store: QuotaStore;
  clock: Clock;
  /** Parking when a provider rejects without saying until when. Default 1 s doubling to 60 s. */
  backoff?: BackoffPolicy;
  /** Called after a settle: capacity may have returned (wire it to AdmissionQueue.notify). */
  onSettle?: () => void;
  /**
   * Called when another instance sharing the store gave capacity back (at most once per event-loop
   * turn, however many refunds arrived): wire it to AdmissionQueue.notify, so requests waiting
   * here try again now rather than at the later time the store last told them.
   */
  onCapacityReturned?: () => void;
  /**
   * How much later than its reservation a call may reach the provider, in clock ms (default 0).
   * Refilling limits are judged as if each charge refilled only from then, so a request admitted at
   * the instant of refill is not refused by a provider that counted the previous one a little late.
   */
  deliveryGuardMs?: number;
  /**
   * How long at most (clock ms, default 0: never) a call that finds a refilling request limit
   * (nearly) empty keeps it from refilling until its answer: the provider starts refilling when the
   * call arrives, which only the answer bounds, however late the delivery. The answer (or the call's
   * settle) releases it; this bounds what a call lost with its process holds.
   */
  refillHoldMs?: number;
  /**
   * Remember refusals for up to this many ms (default 0: ask the store every time). Waiting requests
   * then skip the store until a refused slot could fit; a refund on this ledger forgets at once, one
   * on another instance sharing the store is seen within this time.
   */
  refusalMemoMs?: number;
  /**
   * Share of every limit (0 to 0.9, default 0) that `low` priority reservations leave free, so
   * interactive requests still find room while a batch runs; high and normal may use everything.
   */
  interactiveReserve?: number;
}

type CachedSlot = SlotSpec & { unit: Limit['unit'] };

/** The call's charge as the store made it (AnsweredCall: slots, their use before it, the holds it set), and its output held. */
interface ReservationRecord extends AnsweredCall {
  backend: string;
  /** Token slots holding `deferred` tokens until settle. */
  held: string[];
  deferred: number;
  isSettled: boolean;
}

// Kept on the reservation itself: a WeakMap of short-lived keys costs more in GC than the whole reservation.
const recordOf = Symbol('reservation record');
interface RecordedReservation extends Reservation {
  [recordOf]: ReservationRecord;
}

export function createQuotaLedger(options: QuotaLedgerOptions): QuotaLedger {
  const { store, clock } = options;
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
  const guardMs = options.deliveryGuardMs ?? 0;
  const holdMs = Math.max(0, options.refillHoldMs ?? 0);
  const reserveShare = Math.min(0.9, Math.max(0, options.interactiveReserve ?? 0));
  const memo = options.refusalMemoMs ? createRefusalMemo(options.refusalMemoMs) : undefined;
  const calendar = createCalendar();
  const configured = new Map<string, Limit[]>();
  const learned = new Map<string, Map<string, Limit>>();
  // Resolved limits and their slots per bucket, reused while config and learned limits stay the same
  // and, for calendar limits, until the period turns: reservations are hot, limits rarely change.
  const resolvedCache = new Map<string, { configured: Limit[]; bucket: ResolvedBucket; slots: CachedSlot[]; validUntil: number }>();
  let nextId = 1;
  let isReturnPending = false;
  // Output tokens held per slot id by this instance's calls in flight (ReserveRequest.deferredTokens).
  const held = new Map<string, number>();
  const holdOf = (id: string): number => held.get(id) ?? 0;
  const changeHold = (id: string, delta: number) => {
    const value = holdOf(id) + delta;
    if (value > 0.5) held.set(id, value);
    else held.delete(id);
  };
  const claims = createWaitingClaims((slotIds) => memo?.forget(slotIds));
  // The ledger lives as long as its store; the store's close() ends the subscription.
  store.watchReturns?.((slotIds) => {
    memo?.forget(slotIds);
    if (isReturnPending || !options.onCapacityReturned) return;
    isReturnPending = true;
    setImmediate(() => {
      isReturnPending = false;
      options.onCapacityReturned?.();
    });
  });

  const remember = (buckets: BucketSpec[]) => {
    for (const bucket of buckets) configured.set(bucket.key, bucket.limits);
  };
  const resolve = (bucket: BucketSpec): ResolvedBucket => ({
    key: bucket.key,
    limits: effectiveLimits(bucket.limits, learned.get(bucket.key)),
  });
  const resolveWithSlots = (bucket: BucketSpec, now: number) => {
    const cached = resolvedCache.get(bucket.key);
    if (cached && cached.configured === bucket.limits && now < cached.validUntil) return cached;
    const resolved = resolve(bucket);
    const slots = resolved.limits.map((limit): CachedSlot => ({ ...slotFor(bucket.key, limit, now, calendar), unit: limit.limit.unit }));
    const validUntil = slots.reduce((earliest, slot) => (slot.periodEnd > 0 ? Math.min(earliest, slot.periodEnd) : earliest), Infinity);
    const entry = { configured: bucket.limits, bucket: resolved, slots, validUntil };
    resolvedCache.set(bucket.key, entry);
    return entry;
  };

  /** Releases the call's refill holds and charges a refill its late answer stopped (answer-charge.ts). */
  const chargeFromAnswer = async (record: ReservationRecord, reservedAt: number, now: number) => {
    const adjustments = answerAdjustments(record, reservedAt, now, guardMs);
    if (adjustments.length === 0) return;
    memo?.forget(adjustments.map((slot) => slot.id));
    await store.settle(now, record.backend, adjustments);
  };

  const blockingFor = (buckets: ResolvedBucket[], index: number, charged: { key: string; limit: EffectiveLimit }[]) => {
    if (index < buckets.length) return { key: buckets[index]?.key ?? '', limit: 'parked' as const };
    const slot = charged[index - buckets.length];
    return { key: slot?.key ?? '', limit: slot?.limit.limit ?? ('parked' as const) };
  };

  const ledger: QuotaLedger = {
    async tryReserve(request) {
      remember(request.buckets);
      const now = clock.now();
      const tokens = Math.max(0, Math.ceil(request.tokens));
      const deferred = Math.min(tokens, Math.max(0, Math.ceil(request.deferredTokens ?? 0)));
      const resolved = request.buckets.map((bucket) => resolveWithSlots(bucket, now));
      const buckets = resolved.map((entry) => entry.bucket);
      const charged = buckets.flatMap((bucket) => bucket.limits.map((limit) => ({ key: bucket.key, limit })));
      const isLow = request.priority === 'low' && reserveShare > 0;
      const slots = resolved.flatMap((entry) =>
        entry.slots.map((slot): CachedSlot & SlotCharge => ({
          ...slot,
          cost: slot.unit === 'requests' ? 1 : tokens,
          // A call that starts a request limit's refill holds it until answered (see chargeFromAnswer).
          ...(holdMs > 0 && slot.unit === 'requests' && slot.periodEnd === 0 ? { holdUntil: now + holdMs } : {}),
          // The reserve is whole units, so a limit too small to split (3 requests a month) keeps none, and a
          // single call larger than the share still fits an empty window rather than never running.
          ...(isLow ? { ceiling: Math.max(slot.amount - Math.floor(slot.amount * reserveShare), Math.min(slot.amount, slot.unit === 'requests' ? 1 : tokens)) } : {}),
        })),
      );
      // Token slots: what is charged now leaves room for the deferred output and for the output other
      // calls in flight hold. A call that fits the limit but not beside those holds waits for a settle
      // to release one (settles wake the queue); its retryAt guesses that as if the holds refilled.
      let heldBlock: { index: number; retryAt: number } | undefined;
      const rank = priorityRank(request.priority);
      const claimable: string[] = [];
      for (const [index, slot] of slots.entries()) {
        if (slot.unit === 'requests') continue;
        if (slot.periodEnd === 0) claimable.push(slot.id);
        // Calendar limits take no claims: a request waiting for the next day must not hold back one that fits today.
        const others = holdOf(slot.id) + (slot.periodEnd === 0 ? claims.ahead(slot.id, request.claimant, rank) : 0);
        if (deferred === 0 && others === 0) continue;
        const base = slot.ceiling ?? slot.amount;
        slot.cost = tokens - deferred;
        if (tokens + others <= base || tokens > base) {
          slot.ceiling = base - deferred - (tokens > base ? 0 : others);
          continue;
        }
        const retryAt = slot.windowMs > 0 && slot.amount > 0 ? now + Math.ceil(((tokens + others - base) * slot.windowMs) / slot.amount) : now + 1000;
        if (!heldBlock || retryAt > heldBlock.retryAt) heldBlock = { index, retryAt };
      }
      if (heldBlock) {
        if (request.claimant) claims.claim(request.claimant, rank, tokens, claimable);
        const limit = charged[heldBlock.index]?.limit.limit;
        return { ok: false, retryAt: heldBlock.retryAt, blocking: { key: charged[heldBlock.index]?.key ?? '', limit: limit ?? ('parked' as const) } };
      }
      const parks = buckets.map((b) => b.key);
      const remembered = memo?.check(now, parks, slots);
      const result = remembered ? { ok: false as const, ...remembered } : await store.reserve({ now, parks, slots, guardMs });
      if (!result.ok) {
        if (request.claimant && Number.isFinite(result.retryAt)) claims.claim(request.claimant, rank, tokens, claimable);
        const blocking = blockingFor(buckets, result.blocking, charged);
        if (blocking.limit !== 'parked') {
          if (!remembered) memo?.remember(now, parks, slots, result);
          return { ok: false, retryAt: result.retryAt, blocking };
        }
        const reason = remembered?.reason ?? (await store.read(now, [], [blocking.key])).parks[0]?.reason ?? 'parked';
        if (!remembered) memo?.remember(now, parks, slots, { ...result, reason });
        return { ok: false, retryAt: result.retryAt, blocking: { ...blocking, reason } };
      }
      if (request.claimant) claims.unclaim(request.claimant);
      const holding = deferred > 0 ? slots.filter((slot) => slot.unit !== 'requests').map((slot) => slot.id) : [];
      for (const id of holding) changeHold(id, deferred);
      const reservation: RecordedReservation = {
        id: nextId++,
        bucketKeys: buckets.map((b) => b.key),
        tokens,
        ...(deferred > 0 ? { deferredTokens: deferred } : {}),
        reservedAt: now,
        [recordOf]: { backend: result.backend, slots, usedBefore: result.usedBefore, refillHeld: result.isHeld ?? [], held: holding, deferred, isSettled: false },
      };
      return { ok: true, reservation };
    },

    async settle(reservation, outcome = {}) {
      const record = (reservation as Partial<RecordedReservation>)[recordOf];
      if (!record || record.isSettled) return;
      record.isSettled = true;
      const isRequestCharged = outcome.requestCharged !== false;
      // A count that is not a finite number (a provider's broken usage) must never reach the store's counters.
      const reported = outcome.tokens !== undefined && Number.isFinite(outcome.tokens) ? outcome.tokens : undefined;
      const realTokens = Math.max(0, Math.ceil(reported ?? (isRequestCharged ? reservation.tokens : 0)));
      const adjustments: SlotAdjustment[] = [];
      const now = clock.now();
      // The held output is released and what was really written charged now, as the provider does.
      for (const id of record.held) changeHold(id, -record.deferred);
      const chargedTokens = reservation.tokens - record.deferred;
      const returned: string[] = [...record.held];
      record.slots.forEach((slot, index) => {
        const delta = slot.unit === 'requests' ? (isRequestCharged ? 0 : -1) : realTokens - chargedTokens;
        // A refill hold its answer never released: the call is over, the slot refills from now (any settle releases it).
        const isHeld = record.refillHeld[index] === true;
        if (delta !== 0 || isHeld) adjustments.push({ id: slot.id, amount: slot.amount, windowMs: slot.windowMs, periodEnd: slot.periodEnd, delta });
        if (delta < 0 || isHeld) returned.push(slot.id);
      });
      record.refillHeld.fill(false);
      memo?.forget(returned);
      if (adjustments.length > 0) await store.settle(now, record.backend, adjustments);
      options.onSettle?.();
    },

    async observe(buckets, signal, reservation) {
      remember(buckets);
      const now = clock.now();
      const record = reservation && (reservation as Partial<RecordedReservation>)[recordOf];
      // First, so that the answer's own floors (signal-sync) see the corrected count.
      if (record && !record.isSettled && !signal.exhausted) await chargeFromAnswer(record, reservation.reservedAt, now);
      const corrections = correctionsFor(buckets.map(resolve), signal, now, calendar, backoff);
      for (const { bucketKey, limit, replaces } of corrections.learned) {
        const known = learned.get(bucketKey) ?? new Map<string, Limit>();
        if (replaces !== undefined) known.delete(replaces);
        known.set(limitId(limit), limit);
        learned.set(bucketKey, known);
        resolvedCache.delete(bucketKey);
      }
      await store.apply(now, corrections.floors, corrections.parks);
    },

    async park(key, until, reason) {
      await store.apply(clock.now(), [], [{ key, kind: 'until', until, reason }]);
    },

    declare: remember,

    release(claimant) {
      // Younger requests were spaced behind this claim: they may fit now.
      if (claims.unclaim(claimant)) options.onSettle?.();
    },

    async snapshot() {
      const now = clock.now();
      const buckets = [...configured].map(([key, limits]) => resolve({ key, limits }));
      const slots = buckets.flatMap((bucket) => bucket.limits.map((limit) => slotFor(bucket.key, limit, now, calendar)));
      const state = await store.read(now, slots, buckets.map((b) => b.key));
      let index = 0;
      return {
        at: now,
        store: store.health(),
        buckets: buckets.map((bucket, bucketIndex): BucketState => {
          const limits = bucket.limits.map((limit): LimitState => {
            const slot = slots[index];
            const used = state.slots[index]?.used ?? 0;
            index += 1;
            const { amount, windowMs } = limit.limit;
            const refillsAt = amount > 0 ? now + Math.ceil((used * windowMs) / amount) : now;
            return {
              ...limit.limit,
              remaining: Math.max(0, Math.floor(amount - used)),
              resetAt: slot && slot.periodEnd > 0 ? slot.periodEnd : refillsAt,
              isLearned: limit.isLearned,
            };
          });
          const park = state.parks[bucketIndex];
          const isParked = park !== undefined && park.until > now;
          return { key: bucket.key, limits, ...(isParked ? { parkedUntil: park.until, parkReason: park.reason } : {}) };
        }),
      };
    },
  };
  return ledger;
}
