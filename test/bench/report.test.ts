import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport, writeReport, type Results } from '../../bench/report-render.js';

/** Small results in the shape each benchmark writes to bench/results/. */
const fixtures: Results = {
  faults: {
    at: '2026-01-01T00:00:00Z',
    rate: 70,
    seconds: 4,
    rows: [
      { client: 'freeway', 'success %': 100, 'silently truncated': 0, 'p50 ms': 40, 'p99 ms': 300, 'upstream calls / request': 1.1 },
      { client: 'naive', 'success %': 97.4, 'silently truncated': 3, 'p50 ms': 30, 'p99 ms': 200, 'upstream calls / request': 1.2 },
      { client: 'portkey', 'success %': 99.4, 'silently truncated': 0, 'p50 ms': 50, 'p99 ms': 900, 'upstream calls / request': 3.9 },
    ],
  },
  fleet: {
    at: '2026-01-01T00:01:00Z',
    settings: { timeScale: 12, loadFactor: 1.2, fleetMinutes: 1.5, requests: 1900 },
    rows: [
      { client: 'freeway', 'goodput / capacity': 0.97, 'upstream 429s': 0, 'upstream 429s seen by clients': 0 },
      { client: 'naive rotate + fixed pause', 'goodput / capacity': 0.9, 'upstream 429s': 1234, 'upstream 429s seen by clients': 1234 },
    ],
  },
  cache: {
    at: '2026-01-01T00:02:00Z',
    ops: 500,
    rounds: 3,
    rows: [{ tier: 'memory', 'added p50 µs': 300, 'added p99 µs': 600 }],
    workload: { requests: 200, distinctPrompts: 150, burst: 20, upstreamCalls: 61, upstreamCallsSaved: 139, savedShare: 0.7 },
  },
  'routing-mix': {
    at: '2026-01-01T00:03:00Z',
    requests: 60,
    seed: 11,
    concurrency: 6,
    baseline: 'llama-3.3-70b',
    summary: [
      { model: 'auto', meanMs: 377, p95Ms: 1332, scarceTokens: 5055 },
      { model: 'llama-3.3-70b', meanMs: 631, p95Ms: 2181, scarceTokens: 19551 },
    ],
  },
};

describe('the benchmark report', () => {
  it('writes a self-contained HTML page, a markdown twin and one SVG per plot, each saying how to reproduce it', () => {
    const report = renderReport(fixtures, { generatedAt: '2026-01-01T00:05:00Z', mode: 'fixtures' });
    const dir = mkdtempSync(join(tmpdir(), 'freeway-report-'));
    writeReport(dir, report);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(
      ['README.md', 'cache-latency.svg', 'cache-savings.svg', 'faults-latency.svg', 'faults-success.svg', 'faults-truncated.svg', 'fleet-429s.svg', 'fleet-goodput.svg', 'index.html', 'routing-latency.svg', 'routing-quota.svg'].sort(),
    );

    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org)/); // no CDN, nothing fetched
    expect(html.match(/<svg /g)).toHaveLength(9);
    expect(html).toContain('BENCH_SECONDS=4 npx tsx bench/faults.ts');
    expect(html).toContain('overhead.json is missing');
    const markdown = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(markdown).toContain('![Success rate under injected faults](faults-success.svg)');
    expect(markdown.match(/^Reproduce: /gm)).toHaveLength(9);

    // The plots carry the measured numbers, not invented ones.
    const success = readFileSync(join(dir, 'faults-success.svg'), 'utf8');
    expect(success).toContain('97.4 %');
    expect(success).toMatch(/<text[^>]*>portkey<\/text>/);
    expect(readFileSync(join(dir, 'fleet-429s.svg'), 'utf8')).toContain('>1234<');
    expect(readFileSync(join(dir, 'routing-quota.svg'), 'utf8')).toContain('>5055<');
  });

  it('escapes what it prints inside the SVG', () => {
    const report = renderReport({ faults: { ...fixtures.faults, rows: [{ client: '<b>&x', 'success %': 1 }] } }, { generatedAt: 'now', mode: 'fixtures' });
    expect(report.svgs['faults-success.svg']).toContain('&lt;b&gt;&amp;x');
  });
});
