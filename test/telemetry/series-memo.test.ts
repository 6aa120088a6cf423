import { describe, expect, it } from 'vitest';
import { seriesMemo } from '../../src/telemetry/series-memo.js';
import { createMetrics } from '../../src/telemetry/index.js';

describe('seriesMemo', () => {
  it('builds each combination once when admission kept its values', () => {
    let builds = 0;
    const memo = seriesMemo((raw) => {
      builds += 1;
      return { value: { ...raw }, admitted: [{ ...raw }] };
    });
    const first = memo({ provider: 'groq', model: 'llama' });
    expect(memo({ provider: 'groq', model: 'llama' })).toBe(first);
    expect(builds).toBe(1);
    memo({ provider: 'groq', model: 'other' });
    expect(builds).toBe(2);
  });

  it('never keeps a combination that admission changed, or whose values hold a NUL', () => {
    let builds = 0;
    const memo = seriesMemo((raw) => {
      builds += 1;
      return { value: raw, admitted: [{ model: raw['model'] === 'x' ? 'other' : (raw['model'] ?? '') }] };
    });
    memo({ model: 'x' });
    memo({ model: 'x' });
    memo({ model: 'a\u0000b' });
    memo({ model: 'a\u0000b' });
    expect(builds).toBe(4);
  });

  it('keeps recording folded values as "other" once the bound is reached, through the memo', async () => {
    const metrics = createMetrics({ maxLabelValues: 2 });
    for (const model of ['a', 'b', 'c', 'a', 'c']) {
      metrics.upstreamCall({ provider: 'p', model, outcome: 'ok', totalMs: 1 });
      metrics.tokensUsed({ provider: 'p', model, promptTokens: 1 });
    }
    const text = await metrics.render();
    expect(text).toContain('freeway_upstream_calls_total{provider="p",model="a",outcome="ok"} 2');
    expect(text).toContain('freeway_upstream_calls_total{provider="p",model="other",outcome="ok"} 2');
    expect(text).toContain('freeway_tokens_total{provider="p",model="other",kind="prompt"} 2');
    expect(text).toContain('freeway_upstream_latency_seconds_count{provider="p",model="b",outcome="ok",phase="total"} 1');
  });
});
