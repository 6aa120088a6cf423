/**
 * The admission queue: a request that finds no capacity waits here, in priority order then
 * arrival order, until the moment capacity returns (a timer on the earliest `retryAt`) or a
 * `notify()` says some was given back; past its deadline it gets the gateway's own 429 with the
 * true time capacity returns. It never polls and never decides what capacity is: `tryAdmit` does.
 */
import type { Clock } from '../core/clock.js';
import { FreewayError } from '../core/errors.js';
import type { Limit } from '../core/limits.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

export type Priority = 'high' | 'normal' | 'low';
export const priorities: readonly Priority[] = ['high', 'normal', 'low'];

export type AdmitAttempt<T> =
  | { ok: true; value: T }
  /**
   * retryAt: epoch ms when capacity returns (Infinity: never); absent when unknown (a concurrency
   * slot): the request then waits for a notify() until its deadline. `limit` feeds RateLimit-Policy.
   */
  | { ok: false; retryAt?: number; limit?: Limit };

export interface AdmitOptions {
  priority: Priority;
  /** Epoch ms after which the request would rather fail than wait. */
  deadline: number;
  /** Aborting removes a waiting request; an attempt already running finishes first, and its capacity is returned to the caller. */
  signal?: AbortSignal;
}

export interface AdmissionQueue {
  admit<T>(tryAdmit: () => Promise<AdmitAttempt<T>>, options: AdmitOptions): Promise<T>;
  /** Capacity may have returned (a reservation settled, a concurrency slot freed): every waiter tries again. */
  notify(): void;
  /** Requests waiting now, per priority. */
  depth(): Record<Priority, number>;
}

export interface AdmissionQueueOptions {
  clock: Clock;
  /** Retry-After given when nobody knows when capacity returns (concurrency slots). Default 1 s. */
  unknownRetryAfterMs?: number;
  /**
   * A pass stops trying waiters after this many in a row found no room (default 4): the rest,
   * behind them in priority order, wait for the earliest time those saw instead. Without it a crowd
   * of waiters costs a full round of reservations at every refill and every refund.
   */
  maxFailuresPerPass?: number;
}

interface Waiter {
  sequence: number;
  rank: number;
  priority: Priority;
  deadline: number;
  wakeAt: number;
  attempt: () => Promise<boolean>;
  isDone: boolean;
}

const rankOf: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

export function createAdmissionQueue(options: AdmissionQueueOptions): AdmissionQueue {
  const { clock } = options;
  const unknownRetryAfterMs = options.unknownRetryAfterMs ?? 1000;
  const maxFailuresPerPass = options.maxFailuresPerPass ?? 4;
  let waiters: Waiter[] = [];
  let sequence = 0;
  let timer: { at: number; controller: AbortController } | undefined;
  let isPumping = false;
  let isPumpAgain = false;
  let isEveryoneDue = false;

  const exhausted = (retryAt: number | undefined, limit: Limit | undefined): FreewayError => {
    const now = clock.now();
    if (retryAt === Infinity) {
      return new FreewayError('quota_exhausted', 'No provider that could serve this request has a limit large enough for it.');
    }
    const retryAfterMs = retryAt === undefined ? unknownRetryAfterMs : Math.max(0, Math.ceil(retryAt - now));
    const seconds = Math.ceil(retryAfterMs / 1000);
    return new FreewayError(
      'quota_exhausted',
      `Every provider that could serve this request is out of quota until after its deadline; capacity returns in about ${seconds}s.`,
      { retryAfterMs, headers: rateLimitHeaders({ retryAfterMs, ...(limit ? { limit } : {}) }) },
    );
  };

  const arm = () => {
    const live = waiters.filter((w) => !w.isDone);
    waiters = live;
    const next = live.reduce((earliest, w) => Math.min(earliest, w.wakeAt), Infinity);
    if (next === Infinity) {
      timer?.controller.abort();
      timer = undefined;
      return;
    }
    if (timer?.at === next) return;
    timer?.controller.abort();
    const controller = new AbortController();
    timer = { at: next, controller };
    clock.sleep(Math.max(0, next - clock.now()), controller.signal).then(
      () => {
        if (timer?.controller !== controller) return;
        timer = undefined;
        void pump();
      },
      () => {}, // re-armed elsewhere
    );
  };

  /** One pass over the due waiters, best priority first; passes never overlap. */
  async function pump(): Promise<void> {
    if (isPumping) {
      isPumpAgain = true;
      return;
    }
    isPumping = true;
    try {
      do {
        isPumpAgain = false;
        const isEveryone = isEveryoneDue;
        isEveryoneDue = false;
        const now = clock.now();
        const due = waiters
          .filter((w) => !w.isDone && (isEveryone || w.wakeAt <= now))
          .sort((a, b) => a.rank - b.rank || a.sequence - b.sequence);
        let failures = 0;
        let earliest = Infinity;
        for (const waiter of due) {
          if (waiter.isDone) continue;
          if (failures >= maxFailuresPerPass) {
            // Not tried: due ones wake when the ones ahead could next get room (or at their deadline).
            const at = clock.now();
            if (waiter.wakeAt <= at) waiter.wakeAt = Math.min(waiter.deadline, Math.max(earliest, at + 1));
            continue;
          }
          if (await waiter.attempt()) failures = 0;
          else {
            failures += 1;
            earliest = Math.min(earliest, waiter.wakeAt);
          }
        }
      } while (isPumpAgain);
    } finally {
      isPumping = false;
      arm();
    }
  }

  return {
    admit<T>(tryAdmit: () => Promise<AdmitAttempt<T>>, admitOptions: AdmitOptions): Promise<T> {
      const { signal, deadline, priority } = admitOptions;
      return new Promise<T>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        let isAttempting = false;
        const waiter: Waiter = { sequence: sequence++, rank: rankOf[priority], priority, deadline, wakeAt: Infinity, attempt, isDone: false };
        let isListening = false;
        const finish = () => {
          waiter.isDone = true;
          if (isListening) signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          if (isAttempting) return; // the running attempt settles the promise
          finish();
          reject(signal?.reason as Error);
          arm();
        };

        /** Tries once; true when the request left the queue. */
        async function attempt(): Promise<boolean> {
          isAttempting = true;
          let result: AdmitAttempt<T>;
          try {
            result = await tryAdmit();
          } catch (error) {
            finish();
            reject(error instanceof Error ? error : new Error(String(error)));
            return true;
          } finally {
            isAttempting = false;
          }
          if (result.ok) {
            finish();
            resolve(result.value);
            return true;
          }
          const now = clock.now();
          if (signal?.aborted) {
            finish();
            reject(signal.reason as Error);
            return true;
          }
          const retryAt = result.retryAt;
          const isTooLate = retryAt === undefined ? now >= deadline : retryAt > deadline;
          if (isTooLate) {
            finish();
            reject(exhausted(retryAt, result.limit));
            return true;
          }
          // A retryAt in the past would spin: wait at least a millisecond of clock time.
          waiter.wakeAt = retryAt === undefined ? deadline : Math.max(retryAt, now + 1);
          return false;
        }

        void attempt().then((hasLeft) => {
          if (hasLeft) return;
          // Listen only once queued: most requests are admitted by their first attempt, and an abort
          // during an attempt is the attempt's to settle anyway (it checks the signal itself).
          if (signal?.aborted) {
            onAbort();
            return;
          }
          isListening = true;
          signal?.addEventListener('abort', onAbort, { once: true });
          waiters.push(waiter);
          arm();
        });
      });
    },

    notify() {
      if (waiters.length === 0) return;
      isEveryoneDue = true;
      void pump();
    },

    depth() {
      const counts: Record<Priority, number> = { high: 0, normal: 0, low: 0 };
      for (const waiter of waiters) if (!waiter.isDone) counts[waiter.priority] += 1;
      return counts;
    },
  };
}
