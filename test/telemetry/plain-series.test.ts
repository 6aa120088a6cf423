import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PlainCounter, PlainHistogram } from '../../src/telemetry/plain-series.js';

describe('plain series', () => {
  it('render the same text as prom-client for the same updates', async () => {
    const plain = new Registry();
    const reference = new Registry();
    const labelNames = ['route', 'outcome'] as const;
    const buckets = [0.01, 0.1, 1];
    const counter = new PlainCounter({ name: 'c_total', help: 'c', labelNames, registers: [plain] });
    const histogram = new PlainHistogram({ name: 'h_seconds', help: 'h', labelNames, buckets, registers: [plain] });
    const promCounter = new Counter({ name: 'c_total', help: 'c', labelNames, registers: [reference] });
    const promHistogram = new Histogram({ name: 'h_seconds', help: 'h', labelNames, buckets, registers: [reference] });
    const updates: [string, string, number][] = [
      ['/a', 'ok', 0.005],
      ['/a', 'ok', 0.5],
      ['/b', 'x"y', 3],
      ['/a', 'ok', 0.1],
    ];
    for (const [route, outcome, value] of updates) {
      counter.series({ route, outcome }).value += 2;
      histogram.observe(histogram.series({ route, outcome }), value);
      promCounter.inc({ route, outcome }, 2);
      promHistogram.observe({ route, outcome }, value);
    }
    histogram.series({ route: '/never', outcome: 'observed' });
    expect(await plain.metrics()).toBe(await reference.metrics());
    // The JSON form too, but for prom-client's empty exemplar fields.
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((metric) => ({
        ...metric,
        values: metric.values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metricName: (v as { metricName?: string }).metricName,
        })),
      }));
    expect(withoutExemplars(await plain.getMetricsAsJSON())).toEqual(
      withoutExemplars(await reference.getMetricsAsJSON()),
    );
  });
});
