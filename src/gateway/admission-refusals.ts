/**
 * Folds the reasons each candidate refused a request during one admission attempt into what the
 * admission queue needs: the earliest time any candidate has room (and the limit holding it back,
 * for RateLimit-Policy), "unknown" when only adaptive concurrency blocks, or — when no candidate's
 * limits could ever hold the request — an error to fail with now instead of a wait that cannot end well.
 * It decides nothing about which candidate to try; dispatch does.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { describeLimit, type Limit } from '../core/limits.js';
import type { ReserveResult } from '../quota/index.js';

export interface Refused {
  ok: false;
  /** Epoch ms when some candidate has room; absent when unknown (only concurrency blocks) or never. */
  retryAt?: number;
  /** The limit holding the earliest candidate back, for RateLimit-Policy. */
  limit?: Limit;
  /** Set when every candidate refused for good: fail now rather than wait out the deadline. */
  neverFits?: FreewayError;
}

/** A breaker that is open says nothing about when it half-opens: look again after this long. */
const UNAVAILABLE_RECHECK_MS = 1000;

export interface Refusals {
  ledger(deployment: Deployment, refusal: Extract<ReserveResult, { ok: false }>, tokens: number): void;
  /** The adaptive concurrency limit is full: a released slot notifies the queue. */
  concurrency(): void;
  /** The breaker is open or its probe is taken. */
  unavailable(): void;
  /** The queue's answer; `neverFits` when no candidate's limits could ever hold the request. */
  verdict(): Refused;
}

export function createRefusals(clock: Clock): Refusals {
  let retryAt = Number.POSITIVE_INFINITY;
  let limit: Limit | undefined;
  let isConcurrencyBlocked = false;
  let tooLarge: { deployment: Deployment; limit: Limit | undefined; tokens: number } | undefined;

  const consider = (at: number, blocking: Limit | undefined) => {
    if (at >= retryAt) return;
    retryAt = at;
    limit = blocking;
  };

  return {
    ledger(deployment, refusal, tokens) {
      const blocking = typeof refusal.blocking.limit === 'object' ? refusal.blocking.limit : undefined;
      if (Number.isFinite(refusal.retryAt)) consider(refusal.retryAt, blocking);
      else if (!tooLarge || (blocking && blocking.amount > (tooLarge.limit?.amount ?? 0))) tooLarge = { deployment, limit: blocking, tokens };
    },
    concurrency() {
      isConcurrencyBlocked = true;
    },
    unavailable() {
      consider(clock.now() + UNAVAILABLE_RECHECK_MS, undefined);
    },
    verdict() {
      if (Number.isFinite(retryAt)) return { ok: false, retryAt, ...(limit ? { limit } : {}) };
      if (isConcurrencyBlocked || !tooLarge) return { ok: false };
      const { deployment, tokens } = tooLarge;
      const largest = tooLarge.limit ? ` (the largest is ${describeLimit(tooLarge.limit)} at ${deployment.providerId})` : '';
      const neverFits = new FreewayError(
        'request_too_large',
        `This request needs about ${tokens} tokens of quota, more than any limit of the providers that could serve it allows${largest}. Lower max_tokens or shorten the prompt.`,
        { param: 'max_tokens' },
      );
      return { ok: false, neverFits };
    },
  };
}
