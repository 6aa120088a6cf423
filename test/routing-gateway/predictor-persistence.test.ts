// The latency predictor survives a restart: saved by traffic and at close, loaded at start.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { persistPredictor } from '../../src/gateway/predictor-persistence.js';
import { createLatencyPredictor } from '../../src/routing/index.js';
import { startStack, type Stack } from '../support/start-stack.js';
import { post, user } from './routing-http.js';

const directory = mkdtempSync(join(tmpdir(), 'freeway-predictor-'));
const observation = { promptTokens: 100, outputTokens: 50, ttftMs: 40, totalMs: 140 };

describe('persistPredictor', () => {
  it('saves once the interval has passed, again at close, and loads what it saved', async () => {
    const clock = new ManualClock();
    const file = join(directory, 'unit.json');
    const lines: string[] = [];
    const predictor = createLatencyPredictor({ clock });
    const persistence = await persistPredictor(predictor, file, { clock, log: (l) => lines.push(l), intervalMs: 60_000 });

    predictor.observe('p/m', observation);
    persistence.touch();
    expect(() => readFileSync(file)).toThrow(); // not yet: the interval has not passed
    await clock.advance(60_000);
    predictor.observe('p/m', observation);
    persistence.touch();
    await persistence.close();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { deployments: Record<string, { ttft: { n: number } }> };
    expect(saved.deployments['p/m']?.ttft.n).toBe(2);

    const restarted = createLatencyPredictor({ clock });
    await persistPredictor(restarted, file, { clock, log: (l) => lines.push(l) });
    expect(restarted.predict('p/m', { promptTokens: 100, maxTokens: 50 })?.samples).toBe(2);
    expect(lines).toEqual([]);
  });

  it('warns about a file that is not a snapshot and starts empty', async () => {
    const clock = new ManualClock();
    const file = join(directory, 'broken.json');
    writeFileSync(file, '{"version": 9}');
    const lines: string[] = [];
    const predictor = createLatencyPredictor({ clock });
    await persistPredictor(predictor, file, { clock, log: (l) => lines.push(l) });
    expect(lines).toEqual([`warning: ignoring ${file}: not a latency predictor snapshot; it will be rewritten`]);
    expect(predictor.predict('p/m', { promptTokens: 1 })).toBeUndefined();
  });

  it('does nothing with a null path', async () => {
    const clock = new ManualClock();
    const persistence = await persistPredictor(createLatencyPredictor({ clock }), null, { clock, log: () => {} });
    persistence.touch();
    await expect(persistence.close()).resolves.toBeUndefined();
  });
});

describe('routing.predictorPath in a running gateway', () => {
  const file = join(directory, 'gateway', 'latency.json');
  const stacks: Stack[] = [];
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.close()));
  });

  it('remembers learned latencies across a restart', async () => {
    const first = await startStack({ overrides: { routing: { predictorPath: file } } });
    stacks.push(first);
    for (let i = 0; i < 3; i++) {
      const answer = await post(`${first.freeway.url}/v1/chat/completions`, {
        model: 'groq/llama-3.1-8b',
        messages: user(`hello number ${i}`),
        max_tokens: 8,
      });
      expect(answer.status).toBe(200);
    }
    await first.close();
    stacks.pop();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { deployments: Record<string, unknown> };
    expect(Object.keys(saved.deployments)).toEqual(['groq/llama-3.1-8b']);

    const second = await startStack({ overrides: { routing: { predictorPath: file } } });
    stacks.push(second);
    const state = (await (await fetch(`${second.freeway.url}/v1/freeway/state`)).json()) as {
      deployments: { id: string; latency: { samples: number } | null }[];
    };
    const groq = state.deployments.find((d) => d.id === 'groq/llama-3.1-8b');
    expect(groq?.latency?.samples).toBe(3);
    // Before any request of its own, the restarted gateway already ranks with a prediction.
    const explanation = await post(`${second.freeway.url}/v1/freeway/route`, {
      model: 'llama-3.1-8b',
      messages: user('hello'),
    });
    const verdict = (explanation.body['deployments'] as { id: string; score?: { predictedMs?: number } }[]).find(
      (d) => d.id === 'groq/llama-3.1-8b',
    );
    expect(verdict?.score?.predictedMs).toBeGreaterThanOrEqual(0);
  });
});
