/**
 * Counters and histograms for the per-request metrics whose series are looked up once and then
 * updated as plain numbers: `series(labels)` returns the series (memoised by the caller, see
 * series-memo.ts), and an update is an addition, with no label validation or hashing per call as
 * prom-client does on each inc/observe. They register on a prom-client Registry, which renders them
 * in the same text as prom-client's own Counter and Histogram. They never bound label values:
 * BoundedLabels does that before a series is asked for.
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string>;

export interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

export interface HistogramSeries {
  readonly labels: Labels;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface FamilyOptions {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: Registry[];
}

interface ValuePair {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  sharedLabels?: Labels;
}

abstract class PlainFamily<S extends { labels: Labels }> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  protected readonly byKey = new Map<string, S>();
  private readonly labelNames: readonly string[];

  constructor(options: FamilyOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of these label values (created at zero on first use). */
  series(labels: Labels): S {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    let found = this.byKey.get(key);
    if (!found) {
      const own: Labels = {};
      for (const name of this.labelNames) if (labels[name] !== undefined) own[name] = labels[name];
      found = this.create(own);
      this.byKey.set(key, found);
    }
    return found;
  }

  reset(): void {
    this.byKey.clear();
  }

  protected abstract create(labels: Labels): S;
}

export class PlainCounter extends PlainFamily<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Labels): CounterSeries {
    return { labels, value: 0 };
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ValuePair[] }> {
    // Listed from their first increment on, as prom-client lists a series from its first update.
    const values: ValuePair[] = [];
    for (const s of this.byKey.values()) if (s.value !== 0) values.push({ labels: s.labels, value: s.value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

export class PlainHistogram extends PlainFamily<HistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: readonly number[];

  constructor(options: FamilyOptions & { buckets: readonly number[] }) {
    super(options);
    this.bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(labels: Labels): HistogramSeries {
    return { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** A value that is not a finite number is dropped (prom-client would throw on the request path). */
  observe(series: HistogramSeries, value: number): void {
    if (!Number.isFinite(value)) return;
    const { bounds } = this;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    series.counts[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** The form the Registry renders: `le` first, then the series' labels (as prom-client writes them). */
  getForPromString(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ValuePair[] }> {
    const values: ValuePair[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.byKey.values()) {
      if (s.count === 0) continue; // not observed yet: not listed, as with prom-client
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += s.counts[index] as number;
        values.push({ labels: { le: bound }, value: cumulative, metricName: bucket, sharedLabels: s.labels });
      });
      values.push({ labels: { le: '+Inf' }, value: s.count, metricName: bucket, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.sum, metricName: `${this.name}_sum`, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.count, metricName: `${this.name}_count`, sharedLabels: s.labels });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ValuePair[] }> {
    const data = await this.getForPromString();
    const values = data.values.map(({ labels, value, metricName, sharedLabels }) => ({ labels: { ...sharedLabels, ...labels }, value, ...(metricName ? { metricName } : {}) }));
    return { ...data, values };
  }
}
