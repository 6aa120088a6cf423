/**
 * A test clock that runs with real time from a chosen start, and can jump ahead (to just before
 * midnight Pacific, past a daily reset) without anyone sleeping through the gap: a jump wakes
 * every sleeper whose time has come and re-times the rest. Used as the base of a fleet's clock, so
 * fleet and gateway share one time. Tests assert counts, never durations.
 */
import { systemClock, type Clock } from '../../src/core/clock.js';

interface Sleeper {
  at: number;
  timer: NodeJS.Timeout;
  wake: () => void;
}

export class SteerableClock implements Clock {
  private readonly wallStart = systemClock.now();
  private offset = 0;
  private readonly sleepers = new Set<Sleeper>();

  constructor(private readonly start: number) {}

  now(): number {
    return this.start + (systemClock.now() - this.wallStart) + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const sleeper: Sleeper = {
        at: this.now() + Math.max(0, ms),
        timer: setTimeout(() => sleeper.wake(), Math.max(0, ms)),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        clearTimeout(sleeper.timer);
        this.sleepers.delete(sleeper);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }

  /** Moves time forward by `ms` at once. */
  jump(ms: number): void {
    this.offset += ms;
    const now = this.now();
    for (const sleeper of [...this.sleepers]) {
      clearTimeout(sleeper.timer);
      if (sleeper.at <= now) sleeper.wake();
      else sleeper.timer = setTimeout(() => sleeper.wake(), sleeper.at - now);
    }
  }

  /** Jumps to `epochMs` (never backwards). */
  jumpTo(epochMs: number): void {
    this.jump(Math.max(0, epochMs - this.now()));
  }
}
