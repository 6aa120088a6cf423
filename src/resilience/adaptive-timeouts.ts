/**
 * First-token timeouts that follow each deployment's observed latency: `p99 × factor`, kept
 * within [minMs, maxMs]; `defaultMs` until `minSamples` answers have been seen. A slow model gets
 * the patience it needs and a fast one is abandoned early when it stalls. p95 is offered as the
 * hedging delay. It only remembers latencies (the last `windowSize` per deployment); it never
 * times anything out itself.
 *
 *   new AdaptiveTimeouts({ minMs?, maxMs?, factor?, defaultMs?, windowSize?, minSamples? })
 *     .observe(id, ttftMs)          a first token arrived after ttftMs
 *     .observeTimeout(id, ms)       gave up after ms: counts as a sample of at least that, so timeouts cannot ratchet down
 *     .firstTokenTimeoutMs(id)      .percentileMs(id, 0.95)      .snapshot()
 */
export interface AdaptiveTimeoutOptions {
  /** Default 2 s. */
  minMs?: number;
  /** Default 60 s. */
  maxMs?: number;
  /** Headroom over p99. Default 2. */
  factor?: number;
  /** Used until enough samples: default maxMs / 2, within bounds. */
  defaultMs?: number;
  /** Samples kept per deployment. Default 200. */
  windowSize?: number;
  /** Samples needed before p99 is trusted. Default 20. */
  minSamples?: number;
}

export interface TimeoutSnapshot {
  id: string;
  samples: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  firstTokenTimeoutMs: number;
}

export class AdaptiveTimeouts {
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly defaultMs: number;
  private readonly windowSize: number;
  private readonly minSamples: number;
  /**
   * Ring buffers of the latest samples, where the next one goes, and the same samples kept sorted
   * (updated by binary insertion) so a quantile on the request path costs no sort.
   */
  private readonly samples = new Map<string, { values: number[]; next: number; sorted: number[] }>();

  constructor(options: AdaptiveTimeoutOptions = {}) {
    this.minMs = options.minMs ?? 2_000;
    this.maxMs = Math.max(this.minMs, options.maxMs ?? 60_000);
    this.factor = options.factor ?? 2;
    this.defaultMs = this.clamp(options.defaultMs ?? this.maxMs / 2);
    this.windowSize = Math.max(1, options.windowSize ?? 200);
    this.minSamples = Math.max(1, options.minSamples ?? 20);
  }

  observe(id: string, ttftMs: number): void {
    if (!Number.isFinite(ttftMs) || ttftMs < 0) return;
    let ring = this.samples.get(id);
    if (!ring) this.samples.set(id, (ring = { values: [], next: 0, sorted: [] }));
    if (ring.values.length < this.windowSize) ring.values.push(ttftMs);
    else {
      ring.sorted.splice(lowerBound(ring.sorted, ring.values[ring.next] ?? 0), 1);
      ring.values[ring.next] = ttftMs;
    }
    ring.sorted.splice(lowerBound(ring.sorted, ttftMs), 0, ttftMs);
    ring.next = (ring.next + 1) % this.windowSize;
  }

  observeTimeout(id: string, waitedMs: number): void {
    this.observe(id, waitedMs);
  }

  /** The `q` quantile (0..1) of recent first-token latencies, or undefined below minSamples. */
  percentileMs(id: string, q: number): number | undefined {
    const sorted = this.samples.get(id)?.sorted;
    if (!sorted || sorted.length < this.minSamples) return undefined;
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[rank];
  }

  firstTokenTimeoutMs(id: string): number {
    const p99 = this.percentileMs(id, 0.99);
    return p99 === undefined ? this.defaultMs : this.clamp(p99 * this.factor);
  }

  snapshot(): TimeoutSnapshot[] {
    return [...this.samples.keys()].map((id) => {
      const shot: TimeoutSnapshot = {
        id,
        samples: this.samples.get(id)?.values.length ?? 0,
        firstTokenTimeoutMs: this.firstTokenTimeoutMs(id),
      };
      const p50 = this.percentileMs(id, 0.5);
      const p95 = this.percentileMs(id, 0.95);
      const p99 = this.percentileMs(id, 0.99);
      if (p50 !== undefined) shot.p50Ms = p50;
      if (p95 !== undefined) shot.p95Ms = p95;
      if (p99 !== undefined) shot.p99Ms = p99;
      return shot;
    });
  }

  private clamp(ms: number): number {
    return Math.round(Math.min(this.maxMs, Math.max(this.minMs, ms)));
  }
}

/** The first index whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
