/**
 * Benchmark of the response cache's tiers: the latency of a hit in memory, on disk (SQLite) and in
 * Redis, in process and at the HTTP level, each against a baseline measured in the same run (an
 * empty async function; an HTTP route that answers a fixed body), plus the upstream calls saved on a
 * workload with repeats. Prints tables and writes JSON to
 * bench/results/cache-tiers.json. Run: `npx tsx bench/cache-tiers.ts` (Redis at 127.0.0.1:6379 optional).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { systemClock } from '../src/core/clock.js';
import { percentile, printTable, round, writeResult } from './support.js';
import { computeCacheKey, createResponseCache, createSingleFlight, defaultCacheConfig, type CacheConfig, type ResponseCache } from '../src/cache/index.js';
import { seededRandom } from '../src/core/seeded-random.js';

const IN_PROCESS_OPS = Number(process.env.BENCH_OPS ?? 20_000);
const HTTP_OPS = Number(process.env.BENCH_HTTP_OPS ?? 5_000);
/** Cases run in interleaved rounds, so a noisy neighbour slows every case alike, not just one. */
const ROUNDS = 20;

const request = {
  model: 'llama-3.3-70b',
  messages: [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'Explain in two paragraphs why caching deterministic LLM answers saves free quota.' },
  ],
  temperature: 0,
  max_tokens: 512,
};
const answer = {
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_767_225_600,
  model: 'llama-3.3-70b',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Cached answers cost nothing. '.repeat(40) }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 40, completion_tokens: 240, total_tokens: 280 },
};
const key = computeCacheKey(request, 'llama-3.3-70b', 'chat');

interface Case {
  name: string;
  op: () => Promise<unknown>;
}

interface Row extends Record<string, string | number> {
  case: string;
  level: string;
  ops: number;
  p50Us: number;
  p99Us: number;
  /** p50 and p99 minus the baseline's (first case of the level), in µs: what the cache adds. */
  addedP50Us: number;
  addedP99Us: number;
  p50VsBaseline: number;
}

/** Times every op of every case in µs; the first case is the baseline. */
async function measure(level: string, cases: Case[], ops: number): Promise<Row[]> {
  const perRound = Math.ceil(ops / ROUNDS);
  const samples = cases.map(() => [] as number[]);
  for (const { op } of cases) for (let i = 0; i < Math.min(1_000, perRound); i++) await op();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, { op }] of cases.entries()) {
      const into = samples[index] as number[];
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint();
        await op();
        into.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  const stats = samples.map((list) => {
    const sorted = list.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), ops: sorted.length };
  });
  const base = stats[0] as { p50: number; p99: number };
  return cases.map(({ name }, index) => {
    const { p50, p99, ops: count } = stats[index] as { p50: number; p99: number; ops: number };
    return {
      case: name,
      level,
      ops: count,
      p50Us: round(p50),
      p99Us: round(p99),
      addedP50Us: round(p50 - base.p50),
      addedP99Us: round(p99 - base.p99),
      p50VsBaseline: round(p50 / base.p50),
    };
  });
}


/**
 * Upstream calls saved on a workload with repeats: requests drawn from a Zipf-like popularity over
 * distinct prompts, sent in concurrent bursts through cache + single-flight, as the gateway composes them.
 */
async function workloadWithRepeats(): Promise<Record<string, string | number>> {
  const requests = 2_000;
  const distinct = 200;
  const burst = 20;
  const random = seededRandom(42);
  const weights = Array.from({ length: distinct }, (_, rank) => 1 / (rank + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let draw = random() * total;
    for (const [rank, weight] of weights.entries()) if ((draw -= weight) <= 0) return rank;
    return distinct - 1;
  };
  const cache = createResponseCache({ config: { ...defaultCacheConfig, sqlitePath: null, redis: false }, clock: systemClock });
  const flight = createSingleFlight<Record<string, unknown>>();
  let upstreamCalls = 0;
  const upstream = async (prompt: number) => {
    upstreamCalls++;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    return { ...answer, id: `chatcmpl-${prompt}` };
  };
  const serve = async (prompt: number) => {
    const body = { ...request, messages: [{ role: 'user', content: `prompt ${prompt}` }] };
    const cacheKey = computeCacheKey(body, 'llama-3.3-70b', 'chat');
    if (await cache.get(cacheKey, 'chat')) return;
    if (flight.isInFlight(cacheKey)) cache.noteCoalesced();
    await flight.run(cacheKey, async () => {
      const value = await upstream(prompt);
      await cache.set(cacheKey, 'chat', value);
      return value;
    });
  };
  for (let sent = 0; sent < requests; sent += burst) await Promise.all(Array.from({ length: burst }, () => serve(pick())));
  const stats = cache.stats();
  await cache.close();
  return {
    requests,
    distinctPrompts: distinct,
    burst,
    upstreamCalls,
    savedByCache: stats.hits.memory,
    savedByCoalescing: stats.coalesced,
    upstreamCallsSaved: stats.upstreamCallsSaved,
    savedShare: round(stats.upstreamCallsSaved / requests),
  };
}

async function connectRedis(): Promise<Redis | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** One cache per tier, each with only that tier, so every get is a hit in it (no promotion). */
async function tierCaches(dir: string, redis: Redis | undefined, prefix: string): Promise<Array<[string, ResponseCache]>> {
  const only = (overrides: Partial<CacheConfig>): CacheConfig => ({ ...defaultCacheConfig, sqlitePath: null, redis: false, ...overrides });
  const noMemory = { maxEntries: 0, maxBytes: 0 };
  const caches: Array<[string, ResponseCache]> = [
    ['memory hit', createResponseCache({ config: only({}), clock: systemClock })],
    ['disk hit', createResponseCache({ config: only({ memory: noMemory, sqlitePath: join(dir, 'cache.sqlite') }), clock: systemClock })],
  ];
  if (redis) caches.push(['redis hit', createResponseCache({ config: only({ memory: noMemory, redis: true }), redis, redisPrefix: prefix, clock: systemClock })]);
  for (const [, cache] of caches) await cache.set(key, 'chat', answer);
  return caches;
}

async function readBody(message: IncomingMessage): Promise<string> {
  let text = '';
  for await (const piece of message) text += String(piece);
  return text;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-'));
  const redis = await connectRedis();
  const prefix = `freeway-bench:${randomUUID()}:`;
  const caches = await tierCaches(dir, redis, prefix);
  const rows: Row[] = [];

  // In process: the cache's own cost, against awaiting an empty async function.
  const emptyFn = async () => undefined;
  rows.push(
    ...(await measure(
      'in-process',
      [
        { name: 'empty async function', op: emptyFn },
        { name: 'computeCacheKey', op: async () => computeCacheKey(request, 'llama-3.3-70b', 'chat') },
        ...caches.map(([name, cache]) => ({ name, op: () => cache.get(key, 'chat') })),
      ],
      IN_PROCESS_OPS,
    )),
  );

  // HTTP: a route that reads the request, keys it, reads the cache and answers, against one that
  // reads the request and answers the same bytes from a constant.
  const fixedBody = JSON.stringify(answer);
  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const tier = caches.find(([name]) => req.url === `/${name.split(' ')[0]}`)?.[1];
      let body = fixedBody;
      if (tier) {
        const hit = await tier.get(computeCacheKey(JSON.parse(text) as Record<string, unknown>, 'llama-3.3-70b', 'chat'), 'chat');
        body = hit ? JSON.stringify(hit.value) : '{}';
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-freeway-cache': tier ? 'hit' : 'bypass' });
      res.end(body);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  const requestBody = JSON.stringify(request);
  const call = (path: string) => async () => {
    const response = await pool.request({ path, method: 'POST', body: requestBody, headers: { 'content-type': 'application/json' } });
    await response.body.text();
  };
  rows.push(
    ...(await measure('http', [{ name: 'empty route', op: call('/empty') }, ...caches.map(([name]) => ({ name, op: call(`/${name.split(' ')[0]}`) }))], HTTP_OPS)),
  );

  await pool.close();
  server.close();
  for (const [, cache] of caches) await cache.close();
  if (redis) {
    await redis.del(`${prefix}${key}`);
    redis.disconnect();
  }
  rmSync(dir, { recursive: true, force: true });

  const workload = await workloadWithRepeats();
  printTable('Upstream calls saved on a workload with repeats (Zipf 1.1, seeded)', [workload]);
  printTable('Cache hit latency by tier (µs; added = minus the baseline of the same level, same run)', rows);
  if (!redis) console.log('Redis at 127.0.0.1:6379 unreachable: the Redis rows were skipped.');
  console.log(`Wrote ${writeResult('cache-tiers', { node: process.version, payloadBytes: fixedBody.length, rounds: ROUNDS, rows, workload })}`);
}

await main();
