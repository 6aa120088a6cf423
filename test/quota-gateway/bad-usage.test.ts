// A provider's `usage` is checked, not cast: a non-numeric, infinite, negative or fractional count
// falls back to the gateway's estimate, so the quota ledger's counters (memory and Redis) stay
// numbers. The provider here is a real local HTTP server that answers with whatever usage a test sets.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeway, type RunningFreeway } from '../../src/app/start-freeway.js';
import { parseConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { createMemoryQuotaStore, createQuotaLedger } from '../../src/quota/index.js';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from '../quota/redis-test-support.js';

const DAILY_TOKENS = 1_000_000;

/** Raw JSON text of the `usage` the provider sends next; undefined sends none. */
interface FakeProvider {
  url: string;
  usage: string | undefined;
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return JSON.parse(text) as Record<string, unknown>;
}

async function startFakeProvider(): Promise<FakeProvider> {
  const provider: FakeProvider = { url: '', usage: undefined, close: async () => {} };
  const server: Server = createServer((request, response) => {
    void readJson(request).then((body) => {
      const usage = provider.usage === undefined ? '' : `,"usage":${provider.usage}`;
      const base = `"id":"c1","created":1,"model":"m"`;
      if (body['stream'] === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: {${base},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"hello"},"finish_reason":null}]}\n\n`);
        response.write(`data: {${base},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`);
        if (usage) response.write(`data: {${base},"object":"chat.completion.chunk","choices":[]${usage}}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{${base},"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]${usage}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  provider.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return provider;
}

async function startGateway(providerUrl: string, redisUrl: string | undefined): Promise<RunningFreeway> {
  const config = parseConfig(
    JSON.stringify({
      server: { port: 0 },
      state: redisUrl ? { redis: redisUrl } : {},
      cache: { mode: 'off', sqlitePath: null },
      routing: { predictorPath: null },
      providers: [
        {
          id: 'odd-usage',
          baseUrl: providerUrl,
          apiKey: 'sk-odd',
          dialect: 'openai',
          limits: [{ tokens: DAILY_TOKENS, per: 'day' }],
          models: [{ id: 'odd-model', contextWindow: 8192 }],
        },
      ],
    }),
    { env: {}, fileName: 'bad usage test' },
  );
  return startFreeway({ config, env: {} });
}

function usageCases(label: string, redisUrl: () => string | undefined) {
  describe(`bad upstream usage, ${label}`, () => {
    let provider: FakeProvider;
    let freeway: RunningFreeway;
    beforeAll(async () => {
      provider = await startFakeProvider();
      freeway = await startGateway(provider.url, redisUrl());
    });
    afterAll(async () => {
      await freeway?.close();
      await provider?.close();
    });

    const remaining = async (): Promise<unknown> => {
      const state = (await (await fetch(`${freeway.url}/v1/freeway/state`)).json()) as {
        deployments: { id: string; limits: { unit: string; remaining: unknown }[] }[];
      };
      return state.deployments.find((d) => d.id === 'odd-usage/odd-model')?.limits.find((l) => l.unit === 'tokens')?.remaining;
    };

    /** What one request takes from the daily token limit, with the provider reporting `usage`. */
    const charge = async (usage: string | undefined, stream: boolean): Promise<number> => {
      provider.usage = usage;
      const before = await remaining();
      const response = await fetch(`${freeway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'odd-model', max_tokens: 50, stream, messages: [{ role: 'user', content: 'Say hello' }] }),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('hello');
      const after = await remaining();
      expect(typeof before).toBe('number');
      expect(typeof after).toBe('number');
      return (before as number) - (after as number);
    };

    for (const stream of [false, true]) {
      it(`charges the estimate for unusable counts (${stream ? 'stream' : 'JSON'}), the reported total for a sound one`, async () => {
        const estimate = await charge(undefined, stream);
        expect(estimate).toBeGreaterThan(50);
        for (const bad of ['{"prompt_tokens":"5","total_tokens":"lots"}', '{"total_tokens":1e999}', '{"total_tokens":-40}', '{"total_tokens":12.5}', '"usage"']) {
          expect({ usage: bad, charged: await charge(bad, stream) }).toEqual({ usage: bad, charged: estimate });
        }
        // A broken total beside sound parts: their sum is the real usage.
        expect(await charge('{"prompt_tokens":5,"completion_tokens":2,"total_tokens":null}', stream)).toBe(7);
        expect(await charge('{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}', stream)).toBe(7);
      });
    }
  });
}

usageCases('memory store', () => undefined);

const runsRedis = isRedisUp || isRedisRequired;
const prefix = uniquePrefix('bad-usage');
describe.runIf(runsRedis)('on Redis', () => {
  afterAll(async () => {
    const redis = connect();
    await removePrefix(redis, prefix);
    redis.disconnect();
  });
  usageCases('Redis store', () => `redis://127.0.0.1:6379?keyPrefix=${encodeURIComponent(prefix)}`);
});

describe('the ledger itself', () => {
  it('keeps the reservation when settled with a count that is not a number', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 14, 12));
    const ledger = createQuotaLedger({ store: createMemoryQuotaStore(), clock });
    const buckets = [{ key: 'odd:key', limits: [{ unit: 'tokens' as const, amount: 1000, windowMs: 86_400_000, calendar: 'day' as const }] }];
    const reserved = await ledger.tryReserve({ buckets, tokens: 100 });
    if (!reserved.ok) throw new Error('the first reservation must fit');
    await ledger.settle(reserved.reservation, { tokens: Number.NaN });
    const limit = (await ledger.snapshot()).buckets[0]?.limits[0];
    expect(limit?.remaining).toBe(900);
  });
});
