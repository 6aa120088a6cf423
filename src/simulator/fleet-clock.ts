/**
 * The fleet's own time: an injected Clock run `timeScale` times faster, anchored at the moment the
 * fleet starts, so windows, resets and latencies all shrink together and a day of quota fits in a test.
 * It never reads the wall clock itself; the base Clock is the only source of time.
 */
import type { Clock } from '../core/clock.js';

export class FleetClock implements Clock {
  private readonly anchor: number;

  constructor(
    private readonly base: Clock,
    readonly timeScale = 1,
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale))
      throw new RangeError(`time scale must be a positive number, got ${timeScale}`);
    this.anchor = base.now();
  }

  now(): number {
    const elapsed = this.base.now() - this.anchor;
    return this.timeScale === 1 ? this.base.now() : this.anchor + elapsed * this.timeScale;
  }

  /** Fleet ms since the fleet started (faults scheduled by time count from here). */
  elapsed(): number {
    return this.now() - this.anchor;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms / this.timeScale, signal);
  }
}
