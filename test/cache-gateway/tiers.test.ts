// The lower tiers through whole gateways: the SQLite tier outlives a restart, and gateways on one
// Redis share its tier and coalesce identical requests across instances, as the simulator counts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { CHAT_MODEL, chat, embed, EMBED_MODEL, metric, question, startGateway, startTestFleet, unique, upstreamCalls } from './support.js';

describe('the disk tier', () => {
  let fleet: RunningFleet;
  let dir: string;
  beforeAll(async () => {
    fleet = await startTestFleet();
    dir = mkdtempSync(join(tmpdir(), 'freeway-cache-gateway-'));
  });
  afterAll(async () => {
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives a restart: the next gateway on the same file answers from disk without calling upstream', async () => {
    const cache = { sqlitePath: join(dir, 'cache.sqlite') };
    const first = await startGateway(fleet, { cache });
    const original = await chat(first.url, question('Remember me'));
    const originalEmbedding = await embed(first.url, { model: EMBED_MODEL, input: 'remember me too' });
    await first.close();
    const calls = await upstreamCalls(fleet);

    const second = await startGateway(fleet, { cache });
    try {
      const again = await chat(second.url, question('Remember me'));
      expect(again.cache).toBe('hit');
      expect(again.body).toEqual(original.body);
      expect(again.headers.get('x-freeway-provider')).toBe('sim');
      expect(again.headers.get('x-freeway-model')).toBe(`${CHAT_MODEL}-v1`);
      expect((await embed(second.url, { model: EMBED_MODEL, input: 'remember me too' })).body).toEqual(originalEmbedding.body);
      expect(await upstreamCalls(fleet)).toBe(calls);
      expect(await metric(second.url, 'freeway_cache_events_total', { tier: 'sqlite', event: 'hit' })).toBe(2);
      // The disk hit was promoted: the next one comes from memory.
      await chat(second.url, question('Remember me'));
      expect(await metric(second.url, 'freeway_cache_events_total', { tier: 'memory', event: 'hit' })).toBe(1);
    } finally {
      await second.close();
    }
  });
});

/** A Redis URL whose every key (quota and cache) lives under a prefix of this run's own. */
async function redisForThisRun(): Promise<{ url: string; cleanup: () => Promise<void> } | undefined> {
  const probe = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    probe.disconnect();
    if (process.env.CI === 'true') throw new Error(`Redis at 127.0.0.1:6379 is required on CI: ${(error as Error).message}`);
    console.warn('Skipping the Redis cache-tier tests: no Redis at 127.0.0.1:6379');
    return undefined;
  }
  const prefix = `freeway-test:cache-gateway:${randomUUID()}:`;
  return {
    url: `redis://127.0.0.1:6379/?keyPrefix=${encodeURIComponent(prefix)}`,
    cleanup: async () => {
      let cursor = '0';
      do {
        const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await probe.del(...keys);
      } while (cursor !== '0');
      probe.disconnect();
    },
  };
}

const redis = await redisForThisRun();

describe.skipIf(!redis)('the Redis tier, shared by two gateway instances', () => {
  let fleet: RunningFleet;
  beforeAll(async () => {
    // A slow first token keeps the first call in flight while the other instance's requests arrive.
    fleet = await startTestFleet({ ttftMs: 600 });
  });
  afterAll(async () => {
    await fleet?.close();
    await redis?.cleanup();
  });

  const twoInstances = async () => {
    const overrides = { state: { redis: redis!.url } };
    const [a, b] = await Promise.all([startGateway(fleet, overrides), startGateway(fleet, overrides)]);
    return { a, b, close: () => Promise.all([a.close(), b.close()]) };
  };

  it('an answer one instance stored is a hit on the other, from Redis', async () => {
    const { a, b, close } = await twoInstances();
    try {
      const request = question(unique('Shared'));
      expect((await chat(a.url, request)).cache).toBe('miss');
      const calls = await upstreamCalls(fleet);
      const onB = await chat(b.url, request);
      expect(onB.cache).toBe('hit');
      expect(onB.headers.get('x-freeway-provider')).toBe('sim');
      expect(await upstreamCalls(fleet)).toBe(calls);
      expect(await metric(b.url, 'freeway_cache_events_total', { tier: 'redis', event: 'hit' })).toBe(1);
    } finally {
      await close();
    }
  });

  it('identical JSON requests on both instances at once make one upstream call', async () => {
    const { a, b, close } = await twoInstances();
    try {
      const request = question(unique('Together across instances'));
      const before = await upstreamCalls(fleet);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => chat(i % 2 === 0 ? a.url : b.url, request)));
      expect(await upstreamCalls(fleet)).toBe(before + 1);
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
      expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
      // The instance that did not call upstream served the leader's answer through Redis, origin included.
      const followers = await Promise.all([a, b].map((g) => metric(g.url, 'freeway_cache_events_total', { tier: 'redis', event: 'join' })));
      expect(followers.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1);
      expect(answers.every((answer) => answer.headers.get('x-freeway-provider') === 'sim')).toBe(true);
    } finally {
      await close();
    }
  });
});
