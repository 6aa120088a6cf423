/**
 * The failover loop: tries an ordered list of candidates until one answers, within a deadline.
 * Open breakers are skipped; a failure classified `same` is retried on the same candidate after a
 * full-jitter delay (Retry-After as a floor) when the provider's retry budget and the deadline
 * allow; `other` moves to the next candidate; `never` stops at once. Any call to a provider this
 * request already called is a retry and must pass that provider's budget, so an outage never
 * multiplies the load on it. It owns the order and the accounting, never the call itself: the
 * candidates are opaque, and quota, keys and streams stay the caller's (through `attempt` and
 * `onFailure`). Every error it throws carries `attempts` (upstream calls made).
 *
 *   runWithFailover<C extends { id; providerId }, T>({ candidates, attempt, clock, deadline?, signal?,
 *     breakers?, retryBudget?, random?, backoff?, maxAttempts?, maxTriesPerCandidate?, minAttemptMs?,
 *     classify?, shouldSkip?, onFailure? }): Promise<{ value, attempts, candidate, failures }>
 *   FailoverError: the FreewayError thrown when all candidates failed, with `failures`.
 */
import type { Clock } from '../core/clock.js';
import { FreewayError } from '../core/errors.js';
import { abortReason, linkedController, raceAbort } from './abort-signals.js';
import type { BreakerRegistry } from './breaker-registry.js';
import { classifyError } from './classify-failure.js';
import { fullJitterDelay } from './full-jitter-delay.js';
import { mostInformativeError } from './most-informative-error.js';
import type { RetryBudget } from './retry-budget.js';

export interface FailoverCandidate {
  id: string;
  providerId: string;
}

export interface AttemptContext {
  /**
   * Aborts when the client leaves or the deadline passes. After the attempt has resolved it still
   * follows the client (a stream being relayed stops when the client leaves), never the deadline.
   */
  signal: AbortSignal;
  /** 1 for the first upstream call of this request. */
  attemptNumber: number;
  /** 0 for the first call to this candidate, 1 for its first retry. */
  retryNumber: number;
}

export interface CandidateFailure<C> {
  candidate: C;
  error: FreewayError;
  attemptNumber: number;
}

export interface FailoverOptions<C extends FailoverCandidate, T> {
  candidates: readonly C[];
  attempt: (candidate: C, context: AttemptContext) => Promise<T>;
  clock: Clock;
  /** Epoch ms (clock time) after which no call starts and the one in flight is aborted. */
  deadline?: number;
  /** The client's signal: when it aborts, so does everything. */
  signal?: AbortSignal;
  breakers?: BreakerRegistry;
  retryBudget?: RetryBudget;
  /** Uniform in [0, 1) for jitter. */
  random?: () => number;
  backoff?: { baseMs?: number; capMs?: number };
  /** Upstream calls at most, over all candidates. Default 4. */
  maxAttempts?: number;
  /** Calls per candidate at most (1 + same-deployment retries). Default 2. */
  maxTriesPerCandidate?: number;
  /** A call is not started with less than this left before the deadline. Default 100 ms. */
  minAttemptMs?: number;
  /** Turns what `attempt` threw into a catalogue error. Default `classifyError`. */
  classify?: (error: unknown, candidate: C) => FreewayError;
  /** Asked before a candidate's first call: true passes it over (e.g. a window known to be too small). */
  shouldSkip?: (candidate: C) => boolean;
  /** Runs after each failed call, before the loop decides: park quota, disable a key, note a too-small window. */
  onFailure?: (candidate: C, error: FreewayError) => void | Promise<void>;
}

export interface FailoverResult<C, T> {
  value: T;
  attempts: number;
  candidate: C;
  failures: CandidateFailure<C>[];
}

export class FailoverError<C = FailoverCandidate> extends FreewayError {
  constructor(
    error: FreewayError,
    attempts: number,
    readonly failures: readonly CandidateFailure<C>[],
  ) {
    super(error.code, error.message, {
      param: error.param,
      headers: error.headers,
      attempts,
      cause: error.cause,
      ...retryAfter(error),
    });
    this.name = 'FailoverError';
  }
}

const retryAfter = (error: FreewayError) =>
  error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };

export async function runWithFailover<C extends FailoverCandidate, T>(
  options: FailoverOptions<C, T>,
): Promise<FailoverResult<C, T>> {
  const { clock, breakers, retryBudget } = options;
  const maxAttempts = options.maxAttempts ?? 4;
  const maxTries = options.maxTriesPerCandidate ?? 2;
  const minAttemptMs = options.minAttemptMs ?? 100;
  const random = options.random ?? Math.random;
  const classify = options.classify ?? ((error: unknown) => classifyError(error));
  const jitter = { baseMs: options.backoff?.baseMs ?? 250, capMs: options.backoff?.capMs ?? 8_000, random };

  const failures: CandidateFailure<C>[] = [];
  const calledProviders = new Set<string>();
  let attempts = 0;
  let stop: FreewayError | undefined;

  const deadline = new AbortController();
  const request = linkedController(options.signal, deadline.signal);
  const timer = new AbortController();
  if (options.signal?.aborted) stop = new FreewayError('client_closed', 'The client closed the request');
  options.signal?.addEventListener(
    'abort',
    () => (stop ??= new FreewayError('client_closed', 'The client closed the request')),
    {
      once: true,
      signal: timer.signal,
    },
  );
  if (options.deadline !== undefined) {
    clock.sleep(Math.max(0, options.deadline - clock.now()), timer.signal).then(
      () => {
        stop ??= new FreewayError('upstream_total_timeout', 'The request ran out of time');
        deadline.abort(abortReason('deadline'));
      },
      () => undefined,
    );
  }
  const hasRoom = (waitMs: number) =>
    options.deadline === undefined || clock.now() + waitMs + minAttemptMs <= options.deadline;
  const fail = (error: FreewayError): never => {
    throw new FailoverError(error, attempts, failures);
  };
  const stopped = (): never => fail(stop ?? new FreewayError('client_closed', 'The client closed the request'));

  const call = async (
    candidate: C,
    retryNumber: number,
  ): Promise<{ ok: true; value: T } | { ok: false; error: FreewayError }> => {
    attempts += 1;
    const own = linkedController(options.signal, deadline.signal);
    try {
      const value = await raceAbort(
        options.attempt(candidate, { signal: own.signal, attemptNumber: attempts, retryNumber }),
        own.signal,
      );
      // The winner keeps its signal: a stream still being read must stop when the client leaves.
      return { ok: true, value };
    } catch (error) {
      own.release();
      own.controller.abort(abortReason('attempt over'));
      return { ok: false, error: classify(error, candidate) };
    }
  };

  try {
    candidates: for (const candidate of options.candidates) {
      if (options.shouldSkip?.(candidate)) continue;
      for (let retryNumber = 0; retryNumber < maxTries; retryNumber += 1) {
        if (stop) stopped();
        if (attempts >= maxAttempts || !hasRoom(0)) break candidates;
        if (retryNumber === 0) {
          if (breakers?.isOpen(candidate.id)) continue candidates;
          // Another deployment of a provider this request already called: still a retry to that provider.
          if (calledProviders.has(candidate.providerId) && retryBudget && !retryBudget.tryRetry(candidate.providerId))
            continue candidates;
        }
        if (breakers && !breakers.tryAcquire(candidate.id)) continue candidates;
        if (!calledProviders.has(candidate.providerId)) {
          calledProviders.add(candidate.providerId);
          retryBudget?.recordRequest(candidate.providerId);
        }

        const outcome = await call(candidate, retryNumber);
        if (outcome.ok) {
          breakers?.recordSuccess(candidate.id);
          return { value: outcome.value, attempts, candidate, failures };
        }
        if (stop) {
          breakers?.recordAbandoned(candidate.id);
          stopped();
        }
        const { error } = outcome;
        breakers?.recordFailure(candidate.id, error);
        failures.push({ candidate, error, attemptNumber: attempts });
        await options.onFailure?.(candidate, error);
        if (error.retry === 'never') fail(error);
        if (error.retry !== 'same' || retryNumber + 1 >= maxTries) continue candidates;

        const delay = fullJitterDelay(retryNumber + 1, { ...jitter, ...retryAfter(error) });
        if (!hasRoom(delay) || attempts >= maxAttempts) continue candidates;
        if (retryBudget && !retryBudget.tryRetry(candidate.providerId)) continue candidates;
        await clock.sleep(delay, request.signal).catch(() => undefined);
      }
    }
    if (stop) stopped();
    const best = mostInformativeError(failures.map((failure) => failure.error));
    if (best) return fail(best);
    if (options.deadline !== undefined && !hasRoom(0))
      return fail(new FreewayError('upstream_total_timeout', 'The request ran out of time'));
    return fail(new FreewayError('no_healthy_provider', 'No healthy provider can serve this request right now'));
  } finally {
    timer.abort();
    request.release();
  }
}
