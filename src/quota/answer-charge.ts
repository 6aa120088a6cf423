/**
 * A provider refills a request limit from a call's arrival, which only the call's answer bounds.
 * So a call that finds a refilling request limit (nearly) empty holds its refill (the store keeps
 * the slot from refilling for up to refillHoldMs), and its answer releases the hold: the slot refills
 * from now, as the provider's may have from just now. The delivery guard then counts from now too,
 * as other calls reserved meanwhile may still be on their way; but a limit of one call (one a
 * second) held nobody else's, so there the answer ends the only doubt the guard is for and the
 * release gives the guard back: the next call goes a second after the answer. A call that found
 * the limit busy set no hold; if its answer came later than what was in use could refill, the
 * provider's refill stopped meanwhile: that is charged now. A hold never answered (a call that
 * failed before) is released at settle.
 */
import type { LimitUnit } from '../core/limits.js';
import type { SlotAdjustment, SlotCharge } from './quota-store.js';

export interface AnsweredCall {
  slots: readonly (SlotCharge & { unit: LimitUnit })[];
  /** Per slot, the units in use just before the call's charge (when the store says). */
  usedBefore: readonly number[] | undefined;
  /** Per slot, whether the call's charge set the slot's hold and it is not released yet; cleared here. */
  refillHeld: boolean[];
}

/** The adjustments a call's answer at `now` makes to the request limits it charged at `reservedAt`. */
export function answerAdjustments(call: AnsweredCall, reservedAt: number, now: number, guardMs: number): SlotAdjustment[] {
  const adjustments: SlotAdjustment[] = [];
  call.slots.forEach((slot, index) => {
    if (slot.unit !== 'requests' || slot.periodEnd > 0 || slot.amount <= 0 || slot.windowMs <= 0) return;
    let delta = 0;
    if (call.refillHeld[index]) {
      call.refillHeld[index] = false;
      if (slot.amount <= slot.cost) delta = -(guardMs * slot.amount) / slot.windowMs;
    } else {
      const refilled = ((now - reservedAt) * slot.amount) / slot.windowMs;
      delta = Math.min(slot.cost, refilled - (call.usedBefore?.[index] ?? Infinity));
      if (delta <= 0.001) return;
    }
    adjustments.push({ id: slot.id, amount: slot.amount, windowMs: slot.windowMs, periodEnd: 0, delta });
  });
  return adjustments;
}
