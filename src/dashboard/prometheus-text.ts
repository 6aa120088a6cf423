/**
 * Reads totals out of Prometheus text: the dashboard samples the gateway's own /metrics output
 * rather than reaching into its counters, so it depends on the published metric names only.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheusText(text: string, names: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.length === 0) continue;
    const match = LINE.exec(line);
    if (!match?.[1] || !names.has(match[1])) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1]!] = label[2]!.replace(/\\(.)/g, '$1');
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** The sum of a metric's samples whose labels pass `filter`. */
export function total(samples: readonly Sample[], name: string, filter: (labels: Record<string, string>) => boolean = () => true): number {
  let sum = 0;
  for (const sample of samples) if (sample.name === name && filter(sample.labels)) sum += sample.value;
  return sum;
}
