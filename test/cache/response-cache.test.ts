import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createResponseCache, type CacheEvent, type ResponseCache } from '../../src/cache/index.js';
import { completion, configWith, embedding, tempDir } from './fixtures.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function track(cache: ResponseCache): ResponseCache {
  cleanups.push(() => cache.close());
  return cache;
}
function diskPath(): string {
  const dir = tempDir();
  cleanups.push(dir.remove);
  return join(dir.path, 'nested', 'cache.sqlite');
}

describe('memory tier', () => {
  it('answers what was stored, as a copy nobody can mutate', async () => {
    const cache = track(createResponseCache({ config: configWith(), clock: new ManualClock() }));
    expect(await cache.get('k', 'chat')).toBeUndefined();
    await cache.set('k', 'chat', completion('4'));
    const hit = await cache.get('k', 'chat');
    expect(hit).toMatchObject({ tier: 'memory', value: completion('4'), refreshEarly: false });
    (hit?.value as { model: string }).model = 'mutated';
    expect((await cache.get('k', 'chat'))?.value).toEqual(completion('4'));
  });

  it('is bounded by entries and by bytes, counting evictions', async () => {
    const byEntries = track(createResponseCache({ config: configWith({ memory: { maxEntries: 2, maxBytes: 1_000_000 } }), clock: new ManualClock() }));
    for (const key of ['a', 'b', 'c']) await byEntries.set(key, 'chat', completion(key));
    expect(await byEntries.get('a', 'chat')).toBeUndefined();
    expect(byEntries.stats()).toMatchObject({ evictions: 1, memory: { entries: 2 } });

    const size = JSON.stringify(completion('x'.repeat(100))).length;
    const byBytes = track(createResponseCache({ config: configWith({ memory: { maxEntries: 100, maxBytes: size * 2 + 10 } }), clock: new ManualClock() }));
    for (const key of ['a', 'b', 'c']) await byBytes.set(key, 'chat', completion('x'.repeat(100)));
    const stats = byBytes.stats();
    expect(stats.memory?.entries).toBe(2);
    expect(stats.memory?.bytes).toBeLessThanOrEqual(size * 2 + 10);
    expect(stats.evictions).toBe(1);
  });

  it('expires entries on the injected clock, per kind', async () => {
    const clock = new ManualClock();
    const config = configWith({ ttlSeconds: { completion: 60, embedding: 600, models: 10, discovery: 10 } });
    const cache = track(createResponseCache({ config, clock }));
    await cache.set('chat', 'chat', completion('4'));
    await cache.set('emb', 'embedding', embedding);
    await clock.advance(59_999);
    expect(await cache.get('chat', 'chat')).toBeDefined();
    await clock.advance(1);
    expect(await cache.get('chat', 'chat')).toBeUndefined();
    expect(await cache.get('emb', 'embedding')).toBeDefined();
    await clock.advance(540_000);
    expect(await cache.get('emb', 'embedding')).toBeUndefined();
  });

  it('does not serve an entry stored under another kind', async () => {
    const cache = track(createResponseCache({ config: configWith(), clock: new ManualClock() }));
    await cache.set('k', 'models', { object: 'list', data: [] });
    expect(await cache.get('k', 'chat')).toBeUndefined();
  });
});

describe('what is never stored', () => {
  it.each([
    ['an error body', { error: { message: 'rate limited', code: 429 } }],
    ['finish_reason error', completion('partial', { choices: [{ index: 0, message: { role: 'assistant', content: 'partial' }, finish_reason: 'error' }] })],
    ['a truncated stream (no finish_reason)', completion('half', { choices: [{ index: 0, message: { role: 'assistant', content: 'half' }, finish_reason: null }] })],
    ['no choices', completion('x', { choices: [] })],
    ['a choice without message', completion('x', { choices: [{ index: 0, finish_reason: 'stop' }] })],
  ])('chat: %s', async (_name, body) => {
    const events: CacheEvent[] = [];
    const cache = track(createResponseCache({ config: configWith({ sqlitePath: diskPath() }), clock: new ManualClock(), onEvent: (e) => events.push(e) }));
    await cache.set('k', 'chat', body);
    expect(await cache.get('k', 'chat')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ rejected: 1, stores: 0, disk: { entries: 0 } });
    expect(events.some((e) => e.type === 'reject')).toBe(true);
  });

  it('embeddings without vectors', async () => {
    const cache = track(createResponseCache({ config: configWith(), clock: new ManualClock() }));
    await cache.set('k', 'embedding', { object: 'list', data: [] });
    await cache.set('k', 'embedding', { object: 'list', data: [{ index: 0, embedding: [] }] });
    expect(await cache.get('k', 'embedding')).toBeUndefined();
    expect(cache.stats().rejected).toBe(2);
    await cache.set('k', 'embedding', embedding);
    expect((await cache.get('k', 'embedding'))?.value).toEqual(embedding);
  });
});

describe('disk tier', () => {
  it('survives a restart (close and reopen the same file)', async () => {
    const path = diskPath();
    const clock = new ManualClock();
    const first = createResponseCache({ config: configWith({ sqlitePath: path }), clock });
    await first.set('k', 'chat', completion('kept'));
    await first.close();

    const second = track(createResponseCache({ config: configWith({ sqlitePath: path }), clock }));
    const hit = await second.get('k', 'chat');
    expect(hit).toMatchObject({ tier: 'disk', value: completion('kept') });
    expect(second.stats().disk).toMatchObject({ entries: 1 });
  });

  it('promotes a disk hit to memory, keeping its expiry', async () => {
    const path = diskPath();
    const clock = new ManualClock();
    const config = configWith({ sqlitePath: path, ttlSeconds: { completion: 100, embedding: 100, models: 100, discovery: 100 } });
    const writer = createResponseCache({ config, clock });
    await writer.set('k', 'chat', completion('promoted'));
    await writer.close();

    const reader = track(createResponseCache({ config, clock }));
    await clock.advance(40_000);
    expect((await reader.get('k', 'chat'))?.tier).toBe('disk');
    expect((await reader.get('k', 'chat'))?.tier).toBe('memory');
    expect(reader.stats().hits).toEqual({ memory: 1, disk: 1, redis: 0 });
    await clock.advance(60_000);
    expect(await reader.get('k', 'chat')).toBeUndefined();
  });

  it('never serves an expired row after a restart', async () => {
    const path = diskPath();
    const clock = new ManualClock();
    const config = configWith({ sqlitePath: path, ttlSeconds: { completion: 10, embedding: 10, models: 10, discovery: 10 } });
    const first = createResponseCache({ config, clock });
    await first.set('k', 'chat', completion('old'));
    await first.close();
    await clock.advance(10_000);
    const second = track(createResponseCache({ config, clock }));
    expect(await second.get('k', 'chat')).toBeUndefined();
    expect(second.stats().disk?.entries).toBe(0);
  });
});

describe('stats and events', () => {
  it('counts hits by tier, misses, bypasses, coalesced and upstream calls saved', async () => {
    const events: CacheEvent[] = [];
    const cache = track(createResponseCache({ config: configWith(), clock: new ManualClock(), onEvent: (e) => events.push(e) }));
    await cache.get('k', 'chat');
    await cache.set('k', 'chat', completion('4'));
    await cache.get('k', 'chat');
    await cache.get('k', 'chat');
    cache.noteBypass();
    cache.noteCoalesced(3);
    expect(cache.stats()).toMatchObject({ hits: { memory: 2 }, misses: 1, bypasses: 1, stores: 1, coalesced: 3, upstreamCallsSaved: 5 });
    expect(events.map((e) => e.type)).toEqual(['miss', 'store', 'hit', 'hit']);
  });

  it('delete removes the entry from every tier', async () => {
    const cache = track(createResponseCache({ config: configWith({ sqlitePath: diskPath() }), clock: new ManualClock() }));
    await cache.set('k', 'chat', completion('4'));
    await cache.delete('k');
    expect(await cache.get('k', 'chat')).toBeUndefined();
  });
});
