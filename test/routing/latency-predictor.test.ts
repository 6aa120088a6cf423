import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createLatencyPredictor } from '../../src/routing/index.js';

/** Deterministic noise in [-amplitude, +amplitude]. */
function noise(seed: number, amplitude: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * amplitude;
  };
}

/** TTFT = 200 + 0.05·prompt ms, 100 tokens/s, ±10% noise. */
function feed(predictor: ReturnType<typeof createLatencyPredictor>, id: string, count: number, seed = 1) {
  const jitter = noise(seed, 0.1);
  for (let i = 0; i < count; i++) {
    const promptTokens = 100 + ((i * 7919) % 8000);
    const outputTokens = 20 + ((i * 104729) % 800);
    const ttftMs = (200 + 0.05 * promptTokens) * (1 + jitter());
    const decodeMs = outputTokens * 10 * (1 + jitter());
    predictor.observe(id, { promptTokens, outputTokens, ttftMs, totalMs: ttftMs + decodeMs });
  }
}

describe('latency predictor', () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  it('knows nothing about an unseen deployment', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    expect(predictor.predict('x', { promptTokens: 10 })).toBeUndefined();
    expect(predictor.ttftQuantile('x', 0.95)).toBeUndefined();
  });

  it('converges on the TTFT line and the decode speed', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    feed(predictor, 'd', 200);
    // max_tokens below the usual answer: the output is that long, 100 tokens at 10 ms.
    const prediction = predictor.predict('d', { promptTokens: 4000, maxTokens: 100 })!;
    expect(prediction.samples).toBe(200);
    expect(prediction.ttftMs).toBeGreaterThan(400 * 0.93);
    expect(prediction.ttftMs).toBeLessThan(400 * 1.07);
    expect(prediction.tokensPerSecond).toBeGreaterThan(93);
    expect(prediction.tokensPerSecond).toBeLessThan(107);
    expect(Math.abs(prediction.totalMs - 1400) / 1400).toBeLessThan(0.05);
    expect(prediction.uncertainty).toBeGreaterThan(0);
    expect(prediction.uncertainty).toBeLessThan(0.2);
  });

  it('takes max_tokens as a bound, not as the length of the answer', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    feed(predictor, 'd', 200);
    const unbounded = predictor.predict('d', { promptTokens: 1000 })!.totalMs;
    expect(predictor.predict('d', { promptTokens: 1000, maxTokens: 8192 })!.totalMs).toBe(unbounded);
    expect(predictor.predict('d', { promptTokens: 1000, maxTokens: 10 })!.totalMs).toBeLessThan(unbounded);
  });

  it('is less certain with few samples than with many', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    feed(predictor, 'few', 2);
    feed(predictor, 'many', 100);
    const request = { promptTokens: 1000, maxTokens: 200 };
    expect(predictor.predict('few', request)!.uncertainty).toBeGreaterThan(
      predictor.predict('many', request)!.uncertainty,
    );
  });

  it('grows less certain while a deployment sits idle', () => {
    const clock = new ManualClock();
    const predictor = createLatencyPredictor({ clock });
    feed(predictor, 'd', 50);
    const fresh = predictor.predict('d', { promptTokens: 1000, maxTokens: 100 })!.uncertainty;
    clock.set(clock.now() + 6 * 60 * 60 * 1000);
    expect(predictor.predict('d', { promptTokens: 1000, maxTokens: 100 })!.uncertainty).toBeGreaterThan(fresh);
  });

  it('follows a provider that slows down', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    for (let i = 0; i < 100; i++)
      predictor.observe('d', { promptTokens: 500, outputTokens: 100, ttftMs: 200, totalMs: 1200 });
    for (let i = 0; i < 100; i++)
      predictor.observe('d', { promptTokens: 500, outputTokens: 100, ttftMs: 800, totalMs: 1800 });
    expect(predictor.predict('d', { promptTokens: 500, maxTokens: 100 })!.ttftMs).toBeGreaterThan(750);
  });

  it('puts tail quantiles of TTFT above the median and orders them', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    feed(predictor, 'd', 150);
    const median = predictor.predict('d', { promptTokens: 2000 })!.ttftMs;
    const p95 = predictor.ttftQuantile('d', 0.95, 2000)!;
    const p99 = predictor.ttftQuantile('d', 0.99, 2000)!;
    expect(p95).toBeGreaterThan(median);
    expect(p99).toBeGreaterThanOrEqual(p95);
    // ±10% uniform noise: the tail stays within ~12% of the line.
    expect(p99).toBeLessThan(median * 1.12);
  });

  it('ignores nonsense observations', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    predictor.observe('d', { promptTokens: Number.NaN, outputTokens: 1, ttftMs: 1, totalMs: 2 });
    predictor.observe('d', { promptTokens: 1, outputTokens: 1, ttftMs: -1, totalMs: 2 });
    expect(predictor.predict('d', { promptTokens: 1 })).toBeUndefined();
  });

  it('persists across restarts through a file', async () => {
    directory = await mkdtemp(join(tmpdir(), 'freeway-predictor-'));
    const path = join(directory, 'nested', 'latency.json');
    const clock = new ManualClock();
    const before = createLatencyPredictor({ clock });
    feed(before, 'groq/llama-3.1-8b', 80);
    await before.saveToFile(path);

    const after = createLatencyPredictor({ clock });
    expect(await after.loadFromFile(path)).toBe('loaded');
    const request = { promptTokens: 3000, maxTokens: 300 };
    expect(after.predict('groq/llama-3.1-8b', request)).toEqual(before.predict('groq/llama-3.1-8b', request));
    expect(after.ttftQuantile('groq/llama-3.1-8b', 0.99)).toBe(before.ttftQuantile('groq/llama-3.1-8b', 0.99));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('reports a missing or corrupt file instead of throwing', async () => {
    directory = await mkdtemp(join(tmpdir(), 'freeway-predictor-'));
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    expect(await predictor.loadFromFile(join(directory, 'absent.json'))).toBe('missing');
    await writeFile(join(directory, 'bad.json'), '{"version": 2}');
    expect(await predictor.loadFromFile(join(directory, 'bad.json'))).toBe('invalid');
    expect(() => predictor.fromJSON({ version: 1, savedAt: 0, deployments: { d: { ttft: {} } } })).toThrow();
  });
});
