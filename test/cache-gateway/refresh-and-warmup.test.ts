// Stampede-safe refresh and warm-up: an entry near expiry is served and renewed by one background
// call; the requests in `cache.warmup` are answered once at start without ever failing start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache, defaultCacheConfig, type CachePolicy } from '../../src/cache/index.js';
import { ManualClock, systemClock, type Clock } from '../../src/core/clock.js';
import { createCacheCoordinator, type Answer } from '../../src/gateway/cache-coordinator.js';
import type { CacheTelemetry } from '../../src/gateway/cache-telemetry.js';
import type { RunningFleet } from '../../src/simulator/index.js';
import { EMBED_MODEL, chat, eventually, metric, question, startGateway, startTestFleet, upstreamCalls, type TestGateway } from './support.js';

const TTL_SECONDS = 3600;
/** XFetch draws near 1: its head start is about 11.5 × the time the answer took. */
const ALMOST_ONE = () => 0.99999;

/** The wall clock, plus a jump the test makes to bring entries close to their expiry. */
class JumpingClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return systemClock.sleep(ms, signal);
  }
}

describe('early refresh through the gateway', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  const clock = new JumpingClock();
  beforeAll(async () => {
    fleet = await startTestFleet({ ttftMs: 300 });
    gateway = await startGateway(fleet, { cache: { ttlSeconds: { completion: TTL_SECONDS } } }, { clock, random: ALMOST_ONE });
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('serves the cached answer near expiry and renews it with one background call', async () => {
    const request = question('Renew me before I expire');
    const original = await chat(gateway.url, request);
    const calls = await upstreamCalls(fleet);
    const stores = await metric(gateway.url, 'freeway_cache_events_total', { tier: 'memory', event: 'store' });
    // One second before expiry, far inside the head start of an answer that took ~300 ms.
    clock.offsetMs = TTL_SECONDS * 1000 - 1000;
    const served = await Promise.all(Array.from({ length: 5 }, () => chat(gateway.url, request)));
    expect(served.map((a) => a.cache)).toEqual(Array<string>(5).fill('hit'));
    expect(served.every((a) => a.body['id'] === original.body['id'])).toBe(true);

    await eventually(() => metric(gateway.url, 'freeway_cache_events_total', { tier: 'memory', event: 'store' }), (n) => n === stores + 1);
    expect(await upstreamCalls(fleet)).toBe(calls + 1);
    // The entry now holds the renewed answer (the simulator numbers a repeated request in its id).
    const renewed = await chat(gateway.url, request);
    expect(renewed.cache).toBe('hit');
    expect(renewed.body['id']).not.toBe(original.body['id']);
  });
});

describe('the coordinator refreshes one key at a time', () => {
  const silent: CacheTelemetry = { lookedUp: () => {}, skipped: () => {}, joined: () => {}, onCacheEvent: () => {} };
  const lookup: CachePolicy = { lookup: true, store: true, status: 'miss' };
  const answer = (content: string) => ({
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });

  it('starts one refresh however many hits ask for it, then stores its answer and origin', async () => {
    const clock = new ManualClock();
    const cache = createResponseCache({ config: { ...defaultCacheConfig, sqlitePath: null, redis: false }, clock, random: ALMOST_ONE });
    const coordinator = createCacheCoordinator({ cache, telemetry: silent, clock, log: () => {} });
    await cache.set('k', 'chat', answer('old'), { computeMs: 1000 });
    await clock.advance(defaultCacheConfig.ttlSeconds.completion * 1000 - 5000);

    let release: (fresh: Answer) => void = () => {};
    let calls = 0;
    const fetch = () => {
      calls++;
      return new Promise<Answer>((resolve) => (release = resolve));
    };
    for (let i = 0; i < 5; i++) {
      const hit = await coordinator.lookup('k', 'chat', lookup);
      expect(hit?.refreshEarly).toBe(true);
      coordinator.refresh('k', 'chat', fetch);
    }
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    release({ body: answer('new'), attempts: 1, origin: { provider: 'p', upstreamModel: 'm-v2' } });
    await coordinator.close();

    const renewed = await cache.get('k', 'chat');
    expect(renewed?.value).toEqual(answer('new'));
    expect(renewed?.origin).toEqual({ provider: 'p', upstreamModel: 'm-v2' });
    expect(renewed?.refreshEarly).toBe(false);
    await cache.close();
  });
});

describe('warm-up', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  const lines: string[] = [];
  const warmChat = question('Warm me up');
  const warmEmbedding = { model: EMBED_MODEL, input: 'warm me too' };
  beforeAll(async () => {
    fleet = await startTestFleet();
    const broken = { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }], temperature: 0 };
    gateway = await startGateway(fleet, { cache: { warmup: [warmChat, broken, warmEmbedding] } }, { log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('answers the listed requests once in the background, reports a bad one, and start-up never fails', async () => {
    const report = await eventually(async () => lines.find((line) => line.startsWith('cache warm-up:')), (line) => line !== undefined);
    expect(report).toMatch(/^cache warm-up: 2 of 3 answers ready; failed #2: /);
    const calls = await upstreamCalls(fleet);
    expect(calls).toBe(2);
    expect((await chat(gateway.url, warmChat)).cache).toBe('hit');
    const embedded = await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(warmEmbedding) });
    expect(embedded.headers.get('x-freeway-cache')).toBe('hit');
    expect(await upstreamCalls(fleet)).toBe(calls);
  });
});
