import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const grafana = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
const documented = new Set([...readme.matchAll(/^\| `(freeway_\w+)` \|/gm)].map((m) => m[1]!));

describe('the metric reference', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.close());

  it('documents every metric /metrics exports, and nothing it does not', async () => {
    const body = { model: 'auto', temperature: 0, messages: [{ role: 'user', content: 'Count the metrics' }] };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${stack.freeway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
    }
    const text = await (await fetch(`${stack.freeway.url}/metrics`)).text();
    const exported = new Set([...text.matchAll(/^# TYPE (freeway_\w+) /gm)].map((m) => m[1]!));
    expect(exported.size).toBeGreaterThan(15);
    expect([...exported].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('has a Grafana dashboard that queries documented metrics only', () => {
    const used = new Set(grafana.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/freeway_\w+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
  });
});
