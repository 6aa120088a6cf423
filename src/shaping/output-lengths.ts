/**
 * Observed completion lengths per (model, task kind), as small log-bucketed histograms: each bucket is
 * ~19% wider than the last, so any quantile is known to within that ratio from 70 counters. Counts
 * halve once a histogram holds `maxCount`, so old traffic fades and the sketch follows the workload.
 * It stores and answers quantiles; choosing a budget from them is output-budget.ts's job.
 */

/** Bucket i holds lengths in (edge(i-1), edge(i)]; edge(i) = ceil(2^(i/4)). */
const bucketCount = 72;
const edges = Array.from({ length: bucketCount }, (_, i) => Math.ceil(2 ** (i / 4)));
const maxCount = 2_000;

export interface LengthsSnapshot {
  version: 1;
  histograms: Record<string, number[]>;
}

/** A histogram's counters and their sum, kept as they change: every answer adds one. */
interface Histogram {
  counts: number[];
  total: number;
}

export class OutputLengths {
  private readonly histograms = new Map<string, Histogram>();

  observe(model: string, kind: string, tokens: number): void {
    if (!Number.isFinite(tokens) || tokens < 0) return;
    const key = `${model}|${kind}`;
    let histogram = this.histograms.get(key);
    if (!histogram) {
      histogram = { counts: new Array<number>(bucketCount).fill(0), total: 0 };
      this.histograms.set(key, histogram);
    }
    const { counts } = histogram;
    const index = bucketOf(tokens);
    counts[index] = (counts[index] ?? 0) + 1;
    histogram.total += 1;
    if (histogram.total < maxCount) return;
    for (let i = 0; i < counts.length; i++) counts[i] = Math.floor((counts[i] ?? 0) / 2);
    histogram.total = sum(counts);
  }

  samples(model: string, kind: string): number {
    return this.histograms.get(`${model}|${kind}`)?.total ?? 0;
  }

  /** The upper edge of the bucket holding quantile `q`: a slight overestimate, never an under one. */
  quantile(model: string, kind: string, q: number): number | undefined {
    const histogram = this.histograms.get(`${model}|${kind}`);
    if (!histogram || histogram.total === 0) return undefined;
    const { counts, total } = histogram;
    const rank = Math.ceil(q * total);
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] ?? 0;
      if (seen >= rank) return edges[i];
    }
    return edges[edges.length - 1];
  }

  snapshot(): LengthsSnapshot {
    return { version: 1, histograms: Object.fromEntries([...this.histograms].map(([key, { counts }]) => [key, counts])) };
  }

  load(data: unknown): boolean {
    const snapshot = data as Partial<LengthsSnapshot> | null;
    if (!snapshot || snapshot.version !== 1 || typeof snapshot.histograms !== 'object' || snapshot.histograms === null) return false;
    for (const [key, counts] of Object.entries(snapshot.histograms)) {
      if (Array.isArray(counts) && counts.length === bucketCount && counts.every((c) => Number.isInteger(c) && c >= 0)) {
        this.histograms.set(key, { counts: [...counts], total: sum(counts) });
      }
    }
    return true;
  }

  /** For /v1/freeway/state: samples and p50/p95 per (model, kind). */
  describe(): Record<string, unknown>[] {
    return [...this.histograms.keys()].map((key) => {
      const [model = '', kind = ''] = key.split('|');
      return { model, kind, samples: this.samples(model, kind), p50: this.quantile(model, kind, 0.5), p95: this.quantile(model, kind, 0.95) };
    });
  }
}

function bucketOf(tokens: number): number {
  if (tokens <= 1) return 0;
  const index = Math.ceil(4 * Math.log2(tokens));
  // ceil(2^(i/4)) can round an edge above `tokens`: step back while the previous edge still holds it.
  let i = Math.min(bucketCount - 1, index);
  while (i > 0 && (edges[i - 1] ?? 0) >= tokens) i--;
  return i;
}

const sum = (counts: readonly number[]): number => counts.reduce((a, b) => a + b, 0);
