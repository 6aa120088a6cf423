// The cache at the HTTP level: which requests share an answer, what cache-control does, what a hit
// says about its origin, and that errors and cut streams are never served again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { CHAT_MODEL, EMBED_MODEL, chat, embed, metric, question, startGateway, startTestFleet, streamChat, upstreamCalls, type TestGateway } from './support.js';

describe('cache keys and policy over HTTP', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  beforeAll(async () => {
    fleet = await startTestFleet();
    gateway = await startGateway(fleet);
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('answers the same request from the cache, and tells the truth about where the answer came from', async () => {
    const before = await upstreamCalls(fleet);
    const first = await chat(gateway.url, question('What is a cache?'));
    const second = await chat(gateway.url, question('What is a cache?'));
    expect(first.status).toBe(200);
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('x-freeway-provider')).toBe('sim');
    expect(second.headers.get('x-freeway-model')).toBe(`${CHAT_MODEL}-v1`);
    expect(second.headers.get('x-freeway-attempts')).toBe('0');
    expect(Object.keys(second.body)).not.toContain('x_freeway');
    expect(await upstreamCalls(fleet)).toBe(before + 1);
  });

  it('ignores what cannot change the answer: key order, user, stream options', async () => {
    await chat(gateway.url, question('Key order'));
    const reordered = { max_tokens: 24, temperature: 0, messages: [{ content: 'Key order', role: 'user' }], model: CHAT_MODEL, user: 'someone' };
    expect((await chat(gateway.url, reordered)).cache).toBe('hit');
  });

  it('misses when anything that changes the answer differs', async () => {
    await chat(gateway.url, question('Different'));
    const before = await upstreamCalls(fleet);
    const variants = [
      question('Different!'),
      question('Different', { max_tokens: 25 }),
      question('Different', { seed: 3 }),
      question('Different', { stop: ['\n'] }),
      question('Different', { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Different' }] }),
    ];
    for (const variant of variants) expect((await chat(gateway.url, variant)).cache).toBe('miss');
    expect(await upstreamCalls(fleet)).toBe(before + variants.length);
  });

  it('bypasses non-deterministic requests: nothing stored, nothing served', async () => {
    const warm = { ...question('Be creative'), temperature: 0.9 };
    expect((await chat(gateway.url, warm)).cache).toBe('bypass');
    expect((await chat(gateway.url, warm)).cache).toBe('bypass');
  });

  it('cache-control: no-cache asks upstream again and refreshes the entry', async () => {
    const first = await chat(gateway.url, question('Refresh me'));
    const before = await upstreamCalls(fleet);
    const fresh = await chat(gateway.url, question('Refresh me'), { 'cache-control': 'no-cache' });
    expect(fresh.cache).toBe('miss');
    expect(await upstreamCalls(fleet)).toBe(before + 1);
    // The simulator numbers repeated requests in the id: the entry now holds the second answer.
    expect(fresh.body['id']).not.toBe(first.body['id']);
    const after = await chat(gateway.url, question('Refresh me'));
    expect(after.cache).toBe('hit');
    expect(after.body['id']).toBe(fresh.body['id']);
  });

  it('cache-control: no-store answers from upstream and keeps nothing', async () => {
    const request = question('Do not keep this');
    const kept = await chat(gateway.url, request, { 'cache-control': 'no-store' });
    expect(kept.cache).toBe('bypass');
    expect((await chat(gateway.url, request)).cache).toBe('miss');
  });

  it('caches embeddings the same way, with their origin', async () => {
    const request = { model: EMBED_MODEL, input: ['alpha', 'beta'] };
    const first = await embed(gateway.url, request);
    const second = await embed(gateway.url, request);
    expect([first.cache, second.cache]).toEqual(['miss', 'hit']);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('x-freeway-provider')).toBe('sim');
    expect(second.headers.get('x-freeway-model')).toBe(`${EMBED_MODEL}-v1`);
    expect((await embed(gateway.url, request, { 'cache-control': 'no-store' })).cache).toBe('bypass');
  });

  it('labels streams too, and counts hits, misses and bypasses per tier in /metrics', async () => {
    const request = question('Stream labels');
    expect((await streamChat(gateway.url, request)).cache).toBe('miss');
    expect((await streamChat(gateway.url, request)).cache).toBe('hit');
    expect((await streamChat(gateway.url, request, { 'cache-control': 'no-store' })).cache).toBe('bypass');
    const labels = { tier: 'memory' };
    expect(await metric(gateway.url, 'freeway_cache_events_total', { ...labels, event: 'hit' })).toBeGreaterThan(0);
    expect(await metric(gateway.url, 'freeway_cache_events_total', { ...labels, event: 'miss' })).toBeGreaterThan(0);
    expect(await metric(gateway.url, 'freeway_cache_events_total', { ...labels, event: 'bypass' })).toBeGreaterThan(0);
    expect(await metric(gateway.url, 'freeway_cache_upstream_calls_saved_total', { reason: 'hit' })).toBeGreaterThan(0);
    expect(await metric(gateway.url, 'freeway_cache_entries', labels)).toBeGreaterThan(0);
  });
});

describe('errors and cut streams are never cached', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  beforeAll(async () => {
    // The provider's 1st request fails with a 500 and its 3rd stream is cut mid-answer.
    fleet = await startTestFleet({ faults: '[{ kind: server-error, at: [1], status: 500 }, { kind: stream-cut, at: [3], afterTokens: 2 }]' });
    gateway = await startGateway(fleet, { resilience: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('an upstream error is answered as an error, then the same request goes upstream again', async () => {
    const request = question('Fail first');
    const failed = await chat(gateway.url, request);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const retried = await chat(gateway.url, request);
    expect(retried.status).toBe(200);
    expect(retried.cache).toBe('miss');
    expect((await chat(gateway.url, request)).cache).toBe('hit');
    expect(await upstreamCalls(fleet)).toBe(2);
  });

  it('a stream cut before its end is not stored', async () => {
    const request = question('Cut me off, please, somewhere in the middle of a long answer');
    const cut = await streamChat(gateway.url, request);
    expect(cut.done).toBe(false);
    const again = await streamChat(gateway.url, request);
    expect(again.cache).toBe('miss');
    expect(again.done).toBe(true);
    expect(await upstreamCalls(fleet)).toBe(4);
    expect((await streamChat(gateway.url, request)).cache).toBe('hit');
  });
});
