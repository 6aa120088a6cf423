/**
 * The referee's referee: an independent count of what the fleet admitted against each limit, checked
 * against the most the limit could ever allow (continuous: the amount plus everything refilled since
 * the bucket was made; calendar: the amount per window). Any excess is a violation, reported in stats.
 * It shares no arithmetic with LimitBucket on purpose: a bug there shows up here.
 */
import { nextCalendarReset } from './calendar-window.js';
import type { SimLimit } from './fleet-spec.js';

interface AuditEntry {
  createdAt: number;
  admitted: number;
  windowEnd: number;
}

export class LimitAudit {
  private readonly entries = new Map<string, AuditEntry>();
  violations = 0;
  maxOverLimit = 0;

  /**
   * Records `units` admitted against a limit at `now` (negative for a refund). Returns the excess.
   */
  record(id: string, limit: SimLimit, amount: number, units: number, now: number): number {
    const windowEnd = limit.calendar ? nextCalendarReset(now, limit.calendar, limit.timeZone) : Infinity;
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { createdAt: now, admitted: 0, windowEnd };
      this.entries.set(id, entry);
    }
    if (limit.calendar && windowEnd !== entry.windowEnd) {
      entry.admitted = 0;
      entry.windowEnd = windowEnd;
    }
    entry.admitted += units;
    if (units <= 0) return 0;
    const allowed = limit.calendar ? amount : amount + ((now - entry.createdAt) * amount) / limit.windowMs;
    const over = entry.admitted - allowed;
    if (over > 1e-6) {
      this.violations += 1;
      this.maxOverLimit = Math.max(this.maxOverLimit, over);
      return over;
    }
    return 0;
  }

  clear(): void {
    this.entries.clear();
    this.violations = 0;
    this.maxOverLimit = 0;
  }
}
