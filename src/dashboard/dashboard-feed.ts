/**
 * The dashboard's heartbeat: once a second it takes one sample (the request log's tally, the
 * gateway's /metrics text, its state) into the series ring and hands the snapshot to every open
 * event stream. While nobody watches it samples every few seconds (a sample renders every metric,
 * which on a busy gateway is milliseconds of event loop each time), so a page opened later still
 * sees the last 15 minutes; a sample that is still running when the next is due is skipped.
 */
import type { Gateway, JsonBody } from '../gateway/types.js';
import type { RequestLog } from './request-log.js';
import { SeriesRing, type SeriesPoint } from './time-series.js';

export interface Snapshot {
  state: JsonBody;
  point: SeriesPoint;
}

export interface DashboardFeed {
  /** The series so far and the latest state, for a page that just connected. */
  history(): { series: SeriesPoint[]; state: JsonBody | undefined };
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
  /** Takes one sample now (the timer calls this; tests may too). */
  sample(): Promise<Snapshot | undefined>;
  stop(): void;
}

/** While no page is open, one sample in this many ticks. */
const UNWATCHED_EVERY = 5;

export function createDashboardFeed(options: { gateway: Gateway; log: RequestLog; intervalMs?: number; now?: () => number }): DashboardFeed {
  const now = options.now ?? Date.now;
  const ring = new SeriesRing();
  const listeners = new Set<(snapshot: Snapshot) => void>();
  let latest: JsonBody | undefined;
  let running = false;

  const sample = async (): Promise<Snapshot | undefined> => {
    if (running) return undefined;
    running = true;
    try {
      const [metrics, state] = await Promise.all([options.gateway.renderMetrics(), options.gateway.state()]);
      const point = ring.add(Math.floor(now() / 1000), options.log.drain(), metrics.text, queueOf(state));
      latest = state;
      const snapshot = { state, point };
      for (const listener of listeners) listener(snapshot);
      return snapshot;
    } catch {
      // A gateway closing under the timer: the next sample (if any) tries again.
      return undefined;
    } finally {
      running = false;
    }
  };

  let idleTicks = 0;
  const timer = setInterval(() => {
    if (listeners.size === 0 && ++idleTicks < UNWATCHED_EVERY) return;
    idleTicks = 0;
    void sample();
  }, options.intervalMs ?? 1000);
  timer.unref();

  return {
    history: () => ({ series: ring.all(), state: latest }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sample,
    stop: () => {
      clearInterval(timer);
      listeners.clear();
    },
  };
}

function queueOf(state: JsonBody): Partial<SeriesPoint['queue']> {
  const queue = state['queue'];
  return typeof queue === 'object' && queue !== null ? queue : {};
}
