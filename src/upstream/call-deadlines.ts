/**
 * The deadlines of one upstream call, on the injected Clock: first byte (headers for JSON, the first
 * content chunk for streams), idle (silence between body chunks) and total. One sleeper per call that
 * re-arms itself instead of a timer per chunk, so a busy stream costs one clock read per chunk.
 * It only says which deadline passed, by calling `onExpire`; aborting the request is the caller's job.
 */
import type { Clock } from '../core/clock.js';

export type DeadlinePhase = 'first-byte' | 'idle' | 'total';

export interface DeadlineOptions {
  firstByteTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  totalTimeoutMs?: number | undefined;
}

export const hasDeadlines = (options: DeadlineOptions): boolean =>
  options.firstByteTimeoutMs !== undefined || options.idleTimeoutMs !== undefined || options.totalTimeoutMs !== undefined;

export class CallDeadlines {
  /** The deadline that passed, once one has. */
  expired: DeadlinePhase | undefined;
  private phase: 'first-byte' | 'idle' = 'first-byte';
  private lastActivity: number;
  private sleep: AbortController | undefined;
  private isStopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: DeadlineOptions,
    private readonly startedAt: number,
    private readonly onExpire: (phase: DeadlinePhase) => void,
  ) {
    this.lastActivity = startedAt;
    this.arm();
  }

  /** Bytes arrived: the idle deadline moves; the sleeper notices when it wakes. */
  touch(): void {
    this.lastActivity = this.clock.now();
  }

  /** The first byte (or first content) is in: from now on silence is measured, not the wait for a start. */
  startIdlePhase(): void {
    if (this.phase === 'idle' || this.isStopped) return;
    this.phase = 'idle';
    this.lastActivity = this.clock.now();
    this.arm();
  }

  stop(): void {
    this.isStopped = true;
    this.sleep?.abort();
  }

  private due(): { at: number; phase: DeadlinePhase } | undefined {
    const { firstByteTimeoutMs, idleTimeoutMs, totalTimeoutMs } = this.options;
    let due: { at: number; phase: DeadlinePhase } | undefined;
    if (totalTimeoutMs !== undefined) due = { at: this.startedAt + totalTimeoutMs, phase: 'total' };
    const phaseAt =
      this.phase === 'first-byte'
        ? firstByteTimeoutMs === undefined
          ? undefined
          : this.startedAt + firstByteTimeoutMs
        : idleTimeoutMs === undefined
          ? undefined
          : this.lastActivity + idleTimeoutMs;
    if (phaseAt !== undefined && (!due || phaseAt < due.at)) due = { at: phaseAt, phase: this.phase };
    return due;
  }

  /** (Re)starts the single sleeper; a phase change restarts it because the new deadline may be sooner. */
  private arm(): void {
    this.sleep?.abort();
    const sleep = new AbortController();
    this.sleep = sleep;
    void this.watch(sleep.signal);
  }

  private async watch(signal: AbortSignal): Promise<void> {
    for (;;) {
      const due = this.due();
      if (!due) return;
      const now = this.clock.now();
      if (now >= due.at) {
        this.expired = due.phase;
        this.stop();
        this.onExpire(due.phase);
        return;
      }
      try {
        await this.clock.sleep(due.at - now, signal);
      } catch {
        return;
      }
      if (signal.aborted) return;
    }
  }
}
