/**
 * One enforced limit for one scope: a token bucket that refills continuously, or a calendar window
 * that empties at midnight / on the 1st. The simulator's own implementation, written from the facts
 * page; it must never import the gateway's ledger (src/quota) or limit helpers (src/core/limits.ts).
 */
import { nextCalendarReset } from './calendar-window.js';
import type { SimLimit } from './fleet-spec.js';

const EPSILON = 1e-9;

export class LimitBucket {
  private level: number;
  private lastRefill: number;
  private used = 0;
  private windowEnd: number;

  constructor(
    readonly limit: SimLimit,
    /** What is really enforced: the advertised amount, or less under a lower-limits fault. */
    readonly amount: number,
    now: number,
  ) {
    this.level = amount;
    this.lastRefill = now;
    this.windowEnd = limit.calendar ? nextCalendarReset(now, limit.calendar, limit.timeZone) : Infinity;
  }

  private sync(now: number): void {
    if (this.limit.calendar) {
      if (now >= this.windowEnd) {
        this.used = 0;
        this.windowEnd = nextCalendarReset(now, this.limit.calendar, this.limit.timeZone);
      }
      return;
    }
    if (now > this.lastRefill) {
      this.level = Math.min(this.amount, this.level + ((now - this.lastRefill) * this.amount) / this.limit.windowMs);
      this.lastRefill = now;
    }
  }

  /** Units left now (can be negative after usage counted afterwards). */
  remaining(now: number): number {
    this.sync(now);
    return this.limit.calendar ? this.amount - this.used : this.level;
  }

  /** Ms until `units` fit; Infinity when they never can (more than the whole limit). */
  msUntil(units: number, now: number): number {
    if (units > this.amount) return Infinity;
    const remaining = this.remaining(now);
    if (remaining + EPSILON >= units) return 0;
    if (this.limit.calendar) return this.windowEnd - now;
    return Math.ceil(((units - remaining) * this.limit.windowMs) / this.amount);
  }

  /** Ms until the limit is back to its full amount (what "reset" headers report). */
  msUntilFull(now: number): number {
    const remaining = this.remaining(now);
    if (this.limit.calendar) return this.used === 0 ? 0 : this.windowEnd - now;
    return Math.max(0, Math.ceil(((this.amount - remaining) * this.limit.windowMs) / this.amount));
  }

  /** Epoch ms when the current calendar window ends (Infinity for continuous limits). */
  windowEndsAt(now: number): number {
    this.sync(now);
    return this.windowEnd;
  }

  take(units: number, now: number): void {
    this.sync(now);
    if (this.limit.calendar) this.used += units;
    else this.level -= units;
  }

  /** Gives back a reservation's unused part (never past the full amount). */
  give(units: number, now: number): void {
    this.sync(now);
    if (this.limit.calendar) this.used = Math.max(0, this.used - units);
    else this.level = Math.min(this.amount, this.level + units);
  }
}
