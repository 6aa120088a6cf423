/**
 * Remembers, for a short while, that a slot or a parking refused a reservation and until when, so
 * a crowd of waiting requests asking again and again does not reach the store each time. A refusal
 * stays true until its time unless capacity comes back early: a local refund forgets the slots it
 * touched, and `maxAgeMs` bounds how long a refund made by another instance (shared store) goes
 * unseen. It never admits anything: a miss always goes to the store.
 */
import type { SlotCharge } from './quota-store.js';

interface Entry {
  until: number;
  /** The cost refused: a larger or equal one is refused too; a smaller one might fit. */
  cost: number;
  /** The ceiling it was refused under: a higher one (a higher priority's) might fit. */
  ceiling: number;
  expires: number;
  reason?: string;
}

export interface RememberedRefusal {
  /** As the store reports it: index into parks, or parks.length + index into slots. */
  blocking: number;
  retryAt: number;
  reason?: string;
}

export interface RefusalMemo {
  check(now: number, parks: readonly string[], slots: readonly SlotCharge[]): RememberedRefusal | undefined;
  remember(now: number, parks: readonly string[], slots: readonly SlotCharge[], refusal: RememberedRefusal): void;
  /** Capacity came back on these slots (a refund): their refusals no longer hold. */
  forget(slotIds: readonly string[]): void;
}

const parkId = (key: string) => `park|${key}`;

export function createRefusalMemo(maxAgeMs: number): RefusalMemo {
  const entries = new Map<string, Entry>();
  const live = (id: string, now: number): Entry | undefined => {
    const entry = entries.get(id);
    if (!entry) return undefined;
    if (entry.until > now && entry.expires > now) return entry;
    entries.delete(id);
    return undefined;
  };

  return {
    check(now, parks, slots) {
      for (let index = 0; index < parks.length; index += 1) {
        const entry = live(parkId(parks[index]!), now);
        if (entry) return { blocking: index, retryAt: entry.until, ...(entry.reason !== undefined ? { reason: entry.reason } : {}) };
      }
      for (let index = 0; index < slots.length; index += 1) {
        const slot = slots[index]!;
        const entry = live(slot.id, now);
        if (entry && slot.cost >= entry.cost && (slot.ceiling ?? slot.amount) <= entry.ceiling) return { blocking: parks.length + index, retryAt: entry.until };
      }
      return undefined;
    },

    remember(now, parks, slots, refusal) {
      if (!Number.isFinite(refusal.retryAt) || refusal.retryAt <= now) return;
      const expires = now + maxAgeMs;
      if (refusal.blocking < parks.length) {
        entries.set(parkId(parks[refusal.blocking]!), { until: refusal.retryAt, cost: 0, ceiling: Infinity, expires, ...(refusal.reason !== undefined ? { reason: refusal.reason } : {}) });
        return;
      }
      const slot = slots[refusal.blocking - parks.length];
      if (slot) entries.set(slot.id, { until: refusal.retryAt, cost: slot.cost, ceiling: slot.ceiling ?? slot.amount, expires });
    },

    forget(slotIds) {
      for (const id of slotIds) entries.delete(id);
    },
  };
}
