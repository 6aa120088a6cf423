/**
 * Small AbortSignal plumbing shared by failover and hedging: a controller that follows its
 * parents (and lets go of them when done, so a long-lived client signal does not collect
 * listeners), and a race that stops waiting the moment a signal aborts even if the work ignores
 * it. It never swallows a rejection: a promise left behind still has a handler attached.
 */

export interface LinkedController {
  controller: AbortController;
  signal: AbortSignal;
  /** Stops following the parents; call when the work is over. */
  release(): void;
}

export function linkedController(...parents: (AbortSignal | undefined)[]): LinkedController {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const follow = () => controller.abort(parent.reason);
    parent.addEventListener('abort', follow, { once: true });
    cleanups.push(() => parent.removeEventListener('abort', follow));
  }
  return { controller, signal: controller.signal, release: () => cleanups.forEach((cleanup) => cleanup()) };
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export const abortReason = (message: string): DOMException => new DOMException(message, 'AbortError');
