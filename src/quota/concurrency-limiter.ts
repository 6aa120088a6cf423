/**
 * Adaptive concurrency for one scope whose provider publishes no limits: AIMD on in-flight
 * requests, as Netflix's AIMDLimit does (start 10; a drop — 429, 503, timeout — cuts the limit to
 * max(1, min(limit − 1, ⌊limit × 0.9⌋)); a success while at least half the limit was in flight adds
 * one). It counts and decides; it never waits (the admission queue does) and never classifies
 * errors beyond knowing which catalogue codes mean "too much load".
 */
import type { Clock } from '../core/clock.js';
import type { ErrorCode } from '../core/errors.js';

export interface ConcurrencySnapshot {
  limit: number;
  inFlight: number;
  drops: number;
  /** Epoch ms of the last change of the limit. */
  changedAt: number;
}

export type ReleaseOutcome = 'success' | 'drop' | 'ignore';

export interface ConcurrencyLimiter {
  /** Takes a slot if in-flight is under the limit. */
  tryAcquire(): boolean;
  /** Frees a slot; 'success' may grow the limit, 'drop' shrinks it, 'ignore' leaves it (a cancelled call). */
  release(outcome?: ReleaseOutcome): void;
  /** A drop seen apart from release (after it, say). With a catalogue code, only load-shedding codes count. */
  recordDrop(code?: ErrorCode): void;
  snapshot(): ConcurrencySnapshot;
}

export interface ConcurrencyLimiterOptions {
  clock: Clock;
  initialLimit?: number;
  maxLimit?: number;
  /** Multiplicative decrease. */
  backoffRatio?: number;
  /** Called whenever a slot frees or the limit grows: wire it to AdmissionQueue.notify. */
  onCapacity?: () => void;
}

/** Catalogue codes that mean the provider shed load: the AIMD "drop". */
const dropCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'upstream_rate_limited',
  'upstream_quota_exhausted',
  'upstream_overloaded',
  'upstream_connect_timeout',
  'upstream_first_byte_timeout',
  'upstream_idle_timeout',
  'upstream_total_timeout',
]);

export const isDropCode = (code: ErrorCode): boolean => dropCodes.has(code);

export function createConcurrencyLimiter(options: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const { clock } = options;
  const maxLimit = options.maxLimit ?? 1000;
  const ratio = options.backoffRatio ?? 0.9;
  let limit = options.initialLimit ?? 10;
  let inFlight = 0;
  let drops = 0;
  let changedAt = clock.now();
  // In-flight counts at each acquire, oldest first: AIMD judges a success by the load it ran under.
  const loads: number[] = [];

  const setLimit = (value: number) => {
    if (value === limit) return;
    limit = value;
    changedAt = clock.now();
  };
  const drop = () => {
    drops += 1;
    setLimit(Math.max(1, Math.min(limit - 1, Math.floor(limit * ratio))));
  };

  return {
    tryAcquire() {
      if (inFlight >= limit) return false;
      inFlight += 1;
      loads.push(inFlight);
      return true;
    },
    release(outcome = 'success') {
      if (inFlight === 0) return;
      inFlight -= 1;
      const load = loads.shift() ?? 0;
      if (outcome === 'drop') drop();
      else if (outcome === 'success' && load * 2 >= limit) setLimit(Math.min(maxLimit, limit + 1));
      options.onCapacity?.();
    },
    recordDrop(code) {
      if (code === undefined || isDropCode(code)) drop();
    },
    snapshot: () => ({ limit, inFlight, drops, changedAt }),
  };
}
