/**
 * Time as a dependency. Every module that waits or reads the time takes a Clock, so tests drive
 * time by hand and nothing sleeps on the wall clock. Never read Date.now() directly elsewhere.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that only moves when told to. `advance` fires every sleeper whose time has come, in order.
 */
export class ManualClock implements Clock {
  private sleepers: { at: number; resolve: () => void }[] = [];

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const sleeper = { at: this.current + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
  }

  /** When the earliest sleeper wakes (epoch ms), undefined when none sleeps: lets a test see what waits, without waiting. */
  nextWakeAt(): number | undefined {
    return this.sleepers.reduce<number | undefined>((soonest, s) => (soonest === undefined || s.at < soonest ? s.at : soonest), undefined);
  }

  /** Moves time forward by `ms`, waking sleepers in time order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.at - b.at);
      const next = this.sleepers[0];
      if (!next || next.at > target) break;
      this.sleepers.shift();
      this.current = next.at;
      next.resolve();
      await new Promise((r) => setImmediate(r));
    }
    this.current = target;
    await new Promise((r) => setImmediate(r));
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}
