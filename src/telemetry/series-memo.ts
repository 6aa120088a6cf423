/**
 * Memoises, per distinct raw label values, the label objects a metric call records under (after
 * BoundedLabels, with their fixed extra labels), so a request costs one Map lookup instead of
 * re-admitting each value and spreading fresh objects, and prom-client hashes objects of one shape.
 * It never changes what is recorded: a combination is kept only when every value was admitted as
 * given, so the memo holds no more combinations than the bounded labels allow.
 */

type Labels = Readonly<Record<string, string>>;

export interface SeriesEntry<T> {
  value: T;
  /** Every label object in `value`, to check that admission left the raw values unchanged. */
  admitted: readonly Labels[];
}

export function seriesMemo<T>(build: (raw: Labels) => SeriesEntry<T>): (raw: Labels) => T {
  const memo = new Map<string, T>();
  return (raw) => {
    let key = '';
    for (const name in raw) key += `${raw[name]}\u0000`;
    const found = memo.get(key);
    if (found !== undefined) return found;
    const entry = build(raw);
    if (isKeepable(raw, entry.admitted)) memo.set(key, entry.value);
    return entry.value;
  };
}

function isKeepable(raw: Labels, admitted: readonly Labels[]): boolean {
  for (const name in raw) {
    // A NUL inside a value could give two combinations one key: those are never kept.
    if (raw[name]?.includes('\u0000')) return false;
  }
  for (const labels of admitted) {
    for (const name in labels) if (name in raw && labels[name] !== raw[name]) return false;
  }
  return true;
}
