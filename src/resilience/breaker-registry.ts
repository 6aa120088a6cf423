/**
 * Circuit breakers, one per deployment: an open breaker takes the deployment out of routing; after
 * `halfOpenAfterMs` it turns half-open and lets one probe through, whose outcome closes it or opens
 * it again (for longer each time, up to `maxHalfOpenAfterMs`). It owns breaker state only, never
 * quota: rate limits and spent quotas are the ledger's business and never count as failures here,
 * nor do the caller's own mistakes (bad request, context too long, content filtered).
 *
 * Why not cockatiel's CircuitBreakerPolicy: it reads Date.now() for its open timestamp and only
 * offers `execute(fn)`, while routing needs to ask "is it open?" of many deployments without
 * calling them, and tests need ManualClock. So this file keeps cockatiel's state machine semantics
 * (closed → open → half-open with one trial call) and its breaker strategies: each cockatiel
 * `IBreaker` that does not read the clock (ConsecutiveBreaker, CountBreaker) decides when to open.
 *
 *   createBreakerRegistry({ clock, failureThreshold?, halfOpenAfterMs?, maxHalfOpenAfterMs?, breaker?, countsAsFailure? })
 *     .isOpen(id)          pure: true when open, or half-open with its probe already out
 *     .tryAcquire(id)      call right before an upstream call: false when open; in half-open claims the one probe
 *     .recordSuccess(id) / .recordFailure(id, error) / .recordAbandoned(id)   (abandoned: no verdict, frees the probe)
 *     .state(id): 'closed' | 'open' | 'half-open';  .snapshot(): BreakerSnapshot[]
 */
import { CircuitState, ConsecutiveBreaker, type IBreaker } from 'cockatiel';
import type { Clock } from '../core/clock.js';
import type { ErrorCode, FreewayError } from '../core/errors.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerRegistryOptions {
  clock: Clock;
  /** Consecutive health failures that open a breaker, when no `breaker` factory is given. Default 5. */
  failureThreshold?: number;
  /** How long a breaker stays open before a probe may go. Default 30 s. */
  halfOpenAfterMs?: number;
  /** Each failed probe doubles the open time up to this. Default: 8 × halfOpenAfterMs. */
  maxHalfOpenAfterMs?: number;
  /** A probe that reports nothing for this long is presumed lost and another may go. Default: halfOpenAfterMs. */
  probeLeaseMs?: number;
  /** Builds the strategy that decides when to open (e.g. `() => new CountBreaker({ threshold: 0.5, size: 20, minimumNumberOfCalls: 5 })`). */
  breaker?: () => IBreaker;
  /** Which failures say the deployment is unhealthy. Default: `isHealthFailure`. */
  countsAsFailure?: (error: FreewayError) => boolean;
}

export interface BreakerSnapshot {
  id: string;
  state: BreakerState;
  /** Epoch ms the breaker last opened. */
  openedAt?: number;
  /** Epoch ms a probe may go (open breakers only). */
  halfOpenAt?: number;
  /** How many times in a row it has opened without closing. */
  timesOpened: number;
  lastFailure?: { code: ErrorCode; message: string; at: number };
}

export interface BreakerRegistry {
  isOpen(id: string): boolean;
  tryAcquire(id: string): boolean;
  recordSuccess(id: string): void;
  recordFailure(id: string, error: FreewayError): void;
  recordAbandoned(id: string): void;
  state(id: string): BreakerState;
  snapshot(): BreakerSnapshot[];
}

/** The caller's mistakes and quota exhaustion are not the deployment being broken. */
const notHealthFailures = new Set<ErrorCode>([
  'invalid_request',
  'invalid_json',
  'context_length_exceeded',
  'content_filtered',
  'request_too_large',
  'upstream_bad_request',
  'upstream_request_too_large',
  'upstream_rate_limited',
  'upstream_quota_exhausted',
  'quota_exhausted',
  'client_closed',
  'upstream_total_timeout',
]);

export const isHealthFailure = (error: FreewayError): boolean => !notHealthFailures.has(error.code);

interface Entry {
  breaker: IBreaker;
  state: BreakerState;
  openedAt?: number;
  halfOpenAt?: number;
  timesOpened: number;
  /** Epoch ms until which the half-open probe is out. */
  probeUntil?: number;
  lastFailure?: BreakerSnapshot['lastFailure'];
}

const cockatielState: Record<BreakerState, CircuitState> = {
  closed: CircuitState.Closed,
  open: CircuitState.Open,
  'half-open': CircuitState.HalfOpen,
};

export function createBreakerRegistry(options: BreakerRegistryOptions): BreakerRegistry {
  const { clock } = options;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
  const maxHalfOpenAfterMs = Math.max(halfOpenAfterMs, options.maxHalfOpenAfterMs ?? halfOpenAfterMs * 8);
  const probeLeaseMs = options.probeLeaseMs ?? halfOpenAfterMs;
  const makeBreaker = options.breaker ?? (() => new ConsecutiveBreaker(options.failureThreshold ?? 5));
  const countsAsFailure = options.countsAsFailure ?? isHealthFailure;
  const entries = new Map<string, Entry>();

  const entry = (id: string): Entry => {
    let found = entries.get(id);
    if (!found) entries.set(id, (found = { breaker: makeBreaker(), state: 'closed', timesOpened: 0 }));
    return found;
  };

  /** Open turns half-open lazily, when someone looks after the wait is over. */
  const current = (id: string): Entry | undefined => {
    const found = entries.get(id);
    if (found?.state === 'open' && found.halfOpenAt !== undefined && clock.now() >= found.halfOpenAt) {
      found.state = 'half-open';
      delete found.probeUntil;
    }
    return found;
  };

  const isProbeOut = (found: Entry) => found.probeUntil !== undefined && clock.now() < found.probeUntil;

  const open = (found: Entry) => {
    const now = clock.now();
    const wait = Math.min(maxHalfOpenAfterMs, halfOpenAfterMs * 2 ** found.timesOpened);
    found.state = 'open';
    found.openedAt = now;
    found.halfOpenAt = now + wait;
    found.timesOpened += 1;
    delete found.probeUntil;
  };

  const close = (found: Entry) => {
    found.state = 'closed';
    found.timesOpened = 0;
    delete found.halfOpenAt;
    delete found.probeUntil;
  };

  const recordSuccess = (id: string) => {
    const found = current(id) ?? entry(id);
    found.breaker.success(cockatielState[found.state]);
    if (found.state === 'half-open') close(found);
  };

  return {
    recordSuccess,

    isOpen(id) {
      const found = current(id);
      if (!found) return false;
      return found.state === 'open' || (found.state === 'half-open' && isProbeOut(found));
    },

    tryAcquire(id) {
      const found = current(id);
      if (!found || found.state === 'closed') return true;
      if (found.state === 'open' || isProbeOut(found)) return false;
      found.probeUntil = clock.now() + probeLeaseMs;
      return true;
    },

    recordFailure(id, error) {
      const found = current(id) ?? entry(id);
      if (!countsAsFailure(error)) {
        // The deployment answered coherently: as a probe, that is proof of life.
        if (found.state === 'half-open') recordSuccess(id);
        return;
      }
      found.lastFailure = { code: error.code, message: error.message, at: clock.now() };
      if (found.state === 'open') return;
      const shouldOpen = found.breaker.failure(cockatielState[found.state]);
      if (found.state === 'half-open' || shouldOpen) open(found);
    },

    recordAbandoned(id) {
      const found = current(id);
      if (found?.state === 'half-open') delete found.probeUntil;
    },

    state(id) {
      return current(id)?.state ?? 'closed';
    },

    snapshot() {
      return [...entries.keys()].map((id) => {
        const found = current(id) ?? entry(id);
        const shot: BreakerSnapshot = { id, state: found.state, timesOpened: found.timesOpened };
        if (found.openedAt !== undefined) shot.openedAt = found.openedAt;
        if (found.state === 'open' && found.halfOpenAt !== undefined) shot.halfOpenAt = found.halfOpenAt;
        if (found.lastFailure) shot.lastFailure = found.lastFailure;
        return shot;
      });
    },
  };
}
