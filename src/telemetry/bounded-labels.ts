/**
 * Keeps Prometheus label cardinality bounded: each label of each metric admits its first N
 * distinct values and folds the rest into "other", so a client sending random model names cannot
 * grow the registry without limit. It never drops a sample, only coarsens its labels.
 */

export const OVERFLOW_LABEL = 'other';
const MAX_VALUE_LENGTH = 96;

export class BoundedLabels {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly maxValuesPerLabel: number) {}

  /** Returns the labels as they may be recorded for `metric`. */
  admit<L extends string>(metric: string, labels: Record<L, string>): Record<L, string> {
    const admitted = {} as Record<L, string>;
    for (const name of Object.keys(labels) as L[]) {
      admitted[name] = this.admitValue(`${metric}\u0000${name}`, labels[name]);
    }
    return admitted;
  }

  private admitValue(slot: string, raw: string): string {
    const value = raw.length > MAX_VALUE_LENGTH ? raw.slice(0, MAX_VALUE_LENGTH) : raw;
    let values = this.seen.get(slot);
    if (values === undefined) {
      values = new Set();
      this.seen.set(slot, values);
    }
    if (values.has(value)) return value;
    if (values.size >= this.maxValuesPerLabel) return OVERFLOW_LABEL;
    values.add(value);
    return value;
  }
}
