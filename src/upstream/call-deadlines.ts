/**
 * The deadlines of upstream calls, on the injected Clock: first byte (headers for JSON, the first
 * content chunk for streams), idle (silence between body chunks) and total. One scheduler per client
 * keeps a single sleeper aimed at the earliest deadline of all calls in flight, so a call costs no
 * timer of its own and a chunk costs one clock read. It only says which deadline passed, through
 * `onExpire`; aborting the request is the caller's job.
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
  /** Which deadline `dueAt()` last reported. */
  duePhase: DeadlinePhase = 'total';
  private phase: 'first-byte' | 'idle' = 'first-byte';
  private lastActivity: number;
  private isStopped = false;

  constructor(
    private readonly scheduler: DeadlineScheduler,
    private readonly options: DeadlineOptions,
    private readonly startedAt: number,
    private readonly onExpire: (phase: DeadlinePhase) => void,
  ) {
    this.lastActivity = startedAt;
    scheduler.add(this);
  }

  /** Bytes arrived: the idle deadline moves; the scheduler notices when it wakes. */
  touch(): void {
    this.lastActivity = this.scheduler.clock.now();
  }

  /** The answer has started: from now on silence is measured, not the wait for a start. */
  startIdlePhase(): void {
    if (this.phase === 'idle' || this.isStopped) return;
    this.phase = 'idle';
    this.lastActivity = this.scheduler.clock.now();
    this.scheduler.reschedule(this);
  }

  stop(): void {
    this.isStopped = true;
    this.scheduler.remove(this);
  }

  /** The earliest pending deadline (epoch ms; Infinity when none), noting its phase in `duePhase`. */
  dueAt(): number {
    const { firstByteTimeoutMs, idleTimeoutMs, totalTimeoutMs } = this.options;
    let at = totalTimeoutMs === undefined ? Infinity : this.startedAt + totalTimeoutMs;
    this.duePhase = 'total';
    const timeout = this.phase === 'first-byte' ? firstByteTimeoutMs : idleTimeoutMs;
    const phaseAt = timeout === undefined ? Infinity : (this.phase === 'first-byte' ? this.startedAt : this.lastActivity) + timeout;
    if (phaseAt < at) {
      at = phaseAt;
      this.duePhase = this.phase;
    }
    return at;
  }

  expire(phase: DeadlinePhase): void {
    this.expired = phase;
    this.onExpire(phase);
  }
}

/**
 * The reason a replaced or closed sleeper is aborted with: abort() without one builds a DOMException
 * (and its stack) each time.
 */
const SLEEPER_DROPPED = new Error('deadline sleeper replaced');

export class DeadlineScheduler {
  private readonly calls = new Set<CallDeadlines>();
  private wakeAt = Infinity;
  private sleep: AbortController | undefined;

  constructor(readonly clock: Clock) {}

  add(call: CallDeadlines): void {
    this.calls.add(call);
    this.reschedule(call);
  }

  /** A call's deadline may now come sooner than the sleeper's wake-up: wake earlier. Later ones wait for the next wake. */
  reschedule(call: CallDeadlines): void {
    const at = call.dueAt();
    if (at < this.wakeAt) this.arm(at);
  }

  /**
   * The sleeper stays armed when the last call leaves: one call at a time is the common case at low
   * rates, and a timer set and cancelled per call costs more than a wake-up that finds nothing.
   */
  remove(call: CallDeadlines): void {
    this.calls.delete(call);
  }

  /** Drops every call and the sleeper, so a closed client holds no timer. */
  close(): void {
    this.calls.clear();
    this.sleep?.abort(SLEEPER_DROPPED);
    this.sleep = undefined;
    this.wakeAt = Infinity;
  }

  private arm(at: number): void {
    this.sleep?.abort(SLEEPER_DROPPED);
    const sleep = new AbortController();
    this.sleep = sleep;
    this.wakeAt = at;
    void this.wake(at, sleep.signal);
  }

  private async wake(at: number, signal: AbortSignal): Promise<void> {
    try {
      await this.clock.sleep(Math.max(0, at - this.clock.now()), signal);
    } catch {
      return;
    }
    if (signal.aborted) return;
    this.sleep = undefined;
    this.wakeAt = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    for (const call of this.calls) {
      const due = call.dueAt();
      if (due <= now) {
        this.calls.delete(call);
        call.expire(call.duePhase);
      } else if (due < next) next = due;
    }
    if (next < this.wakeAt) this.arm(next);
  }
}
