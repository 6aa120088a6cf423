/**
 * In-process request coalescing (Go's singleflight): identical calls in flight at the same time share
 * one execution and its outcome, error included. It remembers nothing once a call settles; keeping
 * answers is the response cache's job, never this one's.
 */

export interface SingleFlight<T> {
  /** Runs `fn`, or joins the identical call already in flight under `key`. */
  run(key: string, fn: () => Promise<T>): Promise<T>;
  /** Whether a call under `key` is in flight now. */
  isInFlight(key: string): boolean;
  /** Calls executed and calls that joined one already in flight. */
  stats(): { executed: number; joined: number };
}

export function createSingleFlight<T>(): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  let executed = 0;
  let joined = 0;
  return {
    run(key, fn) {
      const existing = inFlight.get(key);
      if (existing) {
        joined++;
        return existing;
      }
      executed++;
      // Started on a microtask so that a synchronous throw in fn reaches the waiters as a rejection.
      const call = Promise.resolve()
        .then(fn)
        .finally(() => inFlight.delete(key));
      inFlight.set(key, call);
      return call;
    },
    isInFlight: (key) => inFlight.has(key),
    stats: () => ({ executed, joined }),
  };
}
