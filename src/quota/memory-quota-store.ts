/**
 * The in-process quota store: counters and parking records in Maps, every operation synchronous
 * underneath so a reservation over many slots is atomic by construction. The default store, and
 * the Redis store's fallback. Must never keep anything a process restart would need.
 */
import {
  guardedFitTime,
  reservedStamp,
  setsHold,
  stampFor,
  usedNow,
  type ParkOperation,
  type ParkState,
  type QuotaStore,
  type SlotAdjustment,
  type SlotFloor,
  type StoredSlot,
  type StoreReserveRequest,
  type StoreReserveResult,
} from './quota-store.js';

export function createMemoryQuotaStore(options: { backend?: string } = {}): QuotaStore {
  const backend = options.backend ?? 'memory';
  const slots = new Map<string, StoredSlot>();
  const parks = new Map<string, ParkState>();

  const reserve = (request: StoreReserveRequest): StoreReserveResult => {
    const { now, parks: parkKeys, slots: charges } = request;
    let retryAt = now;
    let blocking = -1;
    for (let index = 0; index < parkKeys.length; index += 1) {
      const until = parks.get(parkKeys[index] ?? '')?.until ?? 0;
      if (until > retryAt) {
        retryAt = until;
        blocking = index;
      }
    }
    const used: number[] = [];
    for (let index = 0; index < charges.length; index += 1) {
      const slot = charges[index]!;
      const stored = slots.get(slot.id);
      const current = usedNow(slot, stored, now);
      const at = guardedFitTime(slot, stored, now, request.guardMs ?? 0);
      if (at > retryAt) {
        retryAt = at;
        blocking = parkKeys.length + index;
      }
      used.push(current);
    }
    if (blocking >= 0) return { ok: false, retryAt, blocking };
    const isHeld: boolean[] = [];
    for (let index = 0; index < charges.length; index += 1) {
      const slot = charges[index]!;
      const stored = slots.get(slot.id);
      const value = (used[index] ?? 0) + slot.cost;
      const held = setsHold(slot, used[index] ?? 0);
      isHeld.push(held);
      const stamp = reservedStamp(slot, stored, now, held);
      // Updated in place: a new object per slot per reservation is most of this store's garbage.
      if (stored) {
        stored.used = value;
        stored.stamp = stamp;
      } else {
        slots.set(slot.id, { used: value, stamp });
      }
    }
    return { ok: true, backend, usedBefore: used, isHeld };
  };

  const settle = (now: number, adjustments: SlotAdjustment[]): void => {
    for (const slot of adjustments) {
      const stored = slots.get(slot.id);
      // A calendar charge belongs to its period: once the period has turned, there is nothing to correct.
      if (slot.periodEnd > 0 && stored?.stamp !== slot.periodEnd) continue;
      const current = usedNow(slot, stored, now);
      slots.set(slot.id, { used: Math.max(0, current + slot.delta), stamp: stampFor(slot, now) });
    }
  };

  const applyPark = (now: number, operation: ParkOperation): void => {
    const existing = parks.get(operation.key);
    if (operation.kind === 'success') {
      if (existing) existing.level = 0;
      return;
    }
    const park = existing ?? { until: 0, reason: '', level: 0 };
    if (operation.kind === 'until') {
      if (operation.until > park.until) [park.until, park.reason] = [operation.until, operation.reason];
    } else if (park.until <= now) {
      // Concurrent failures of one outage arrive while it is parked: they must not grow the backoff.
      park.until = now + Math.min(operation.maxMs, operation.baseMs * 2 ** park.level);
      park.reason = operation.reason;
      park.level += 1;
    }
    parks.set(operation.key, park);
  };

  const apply = (now: number, floors: SlotFloor[], parkOperations: ParkOperation[]): void => {
    for (const slot of floors) {
      const current = usedNow(slot, slots.get(slot.id), now);
      if (slot.used > current) slots.set(slot.id, { used: slot.used, stamp: stampFor(slot, now) });
    }
    for (const operation of parkOperations) applyPark(now, operation);
  };

  return {
    reserve: async (request) => reserve(request),
    settle: async (now, _backend, adjustments) => settle(now, adjustments),
    apply: async (now, floors, parkOperations) => apply(now, floors, parkOperations),
    read: async (now, slotSpecs, parkKeys) => ({
      slots: slotSpecs.map((slot) => ({ used: usedNow(slot, slots.get(slot.id), now) })),
      parks: parkKeys.map((key) => {
        const park = parks.get(key);
        return park ? { ...park } : undefined;
      }),
    }),
    health: () => ({ backend, isDegraded: false, fallbackOperations: 0, outages: 0 }),
    close: async () => {},
  };
}
