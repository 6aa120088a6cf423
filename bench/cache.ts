/**
 * npm run bench:cache — the response cache at the HTTP level, against real gateway processes:
 *   1. the latency a cache hit adds over an empty route (`GET /healthz` on the same server), for a
 *      hit in memory, on disk (SQLite) and in Redis: one gateway process per tier, each configured so
 *      that tier answers every hit (memory too small to keep an answer, so no promotion);
 *   2. upstream calls saved on a workload with repeats (seeded Zipf popularity, concurrent bursts),
 *      counted by the simulated fleet's own /_sim/stats before and after.
 * The fleet and gateways run as separate processes through the built binary (`npm run build` first);
 * requests go one at a time over one kept-alive connection, cases interleaved round by round, so a
 * noisy neighbour slows every case alike. Prints tables, writes bench/results/cache.json.
 * Redis at 127.0.0.1:6379 is optional (its row is skipped without it).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { stringify } from 'yaml';
import { fleetGatewayConfig, parseFleet } from '../src/simulator/index.js';
import { allocatePort, startFreewayProcess, writeTempFile, type Child } from './processes.js';
import { deleteRedisPrefix, percentile, printTable, round, writeResult } from './support.js';
import { seededRandom } from '../src/core/seeded-random.js';

const OPS = Number(process.env['BENCH_OPS'] ?? 4_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 10);
const WORKLOAD_REQUESTS = Number(process.env['BENCH_WORKLOAD_REQUESTS'] ?? 1_000);

const FLEET = `
providers:
  - id: bench
    dialect: openai
    keys: [sim-bench-key]
    latency: { ttftMs: 40, tokensPerSecond: 4000, jitter: 0 }
    limits: [{ requests: 1000000, per: minute }]
    models:
      - id: bench-model
        contextWindow: 32768
`;

const question = (words: string) => ({ model: 'bench-model', messages: [{ role: 'user', content: words }], temperature: 0, max_tokens: 64 });

interface Gateway {
  name: string;
  url: string;
  child: Child;
  pool: Pool;
}

interface Row extends Record<string, string | number> {
  tier: string;
  ops: number;
  'empty p50 µs': number;
  'empty p99 µs': number;
  'hit p50 µs': number;
  'hit p99 µs': number;
  'added p50 µs': number;
  'added p99 µs': number;
}

async function redisUrl(): Promise<{ url: string; cleanup: () => Promise<void> } | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch {
    redis.disconnect();
    return undefined;
  }
  const prefix = `freeway-bench:cache:${randomUUID()}:`;
  return {
    url: `redis://127.0.0.1:6379/?keyPrefix=${encodeURIComponent(prefix)}`,
    cleanup: async () => {
      await deleteRedisPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

async function startGateway(name: string, base: Record<string, unknown>, overrides: Record<string, unknown>): Promise<Gateway> {
  const port = allocatePort();
  const config = writeTempFile('freeway.yaml', stringify({ ...base, ...overrides }));
  const child = await startFreewayProcess(['serve', '--config', config, '--port', String(port)], `http://127.0.0.1:${port}/healthz`);
  const url = `http://127.0.0.1:${port}`;
  return { name, url, child, pool: new Pool(url, { connections: 1, pipelining: 1 }) };
}

async function send(pool: Pool, path: string, body?: string): Promise<{ status: number; cache: string | undefined }> {
  const response = await pool.request(
    body === undefined ? { path, method: 'GET' } : { path, method: 'POST', body, headers: { 'content-type': 'application/json' } },
  );
  await response.body.text();
  const cache = response.headers['x-freeway-cache'];
  return { status: response.statusCode, cache: typeof cache === 'string' ? cache : undefined };
}

/** Times the empty route and a hit on every gateway, interleaved round by round (µs). */
async function measureHits(gateways: Gateway[], body: string): Promise<Row[]> {
  const perRound = Math.ceil(OPS / ROUNDS);
  const samples = gateways.map(() => ({ empty: [] as number[], hit: [] as number[] }));
  for (const gateway of gateways) {
    const primed = await send(gateway.pool, '/v1/chat/completions', body);
    const again = await send(gateway.pool, '/v1/chat/completions', body);
    if (primed.status !== 200 || again.cache !== 'hit') throw new Error(`${gateway.name}: expected a cache hit, got ${again.status} ${again.cache}`);
    for (let i = 0; i < 300; i++) {
      await send(gateway.pool, '/healthz');
      await send(gateway.pool, '/v1/chat/completions', body);
    }
  }
  const time = async (into: number[], op: () => Promise<unknown>) => {
    const start = process.hrtime.bigint();
    await op();
    into.push(Number(process.hrtime.bigint() - start) / 1000);
  };
  for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
    for (const [index, gateway] of gateways.entries()) {
      const into = samples[index]!;
      for (let i = 0; i < perRound; i++) {
        await time(into.empty, () => send(gateway.pool, '/healthz'));
        await time(into.hit, () => send(gateway.pool, '/v1/chat/completions', body));
      }
    }
  }
  return gateways.map((gateway, index) => {
    const empty = samples[index]!.empty.sort((a, b) => a - b);
    const hit = samples[index]!.hit.sort((a, b) => a - b);
    return {
      tier: gateway.name,
      ops: hit.length,
      'empty p50 µs': round(percentile(empty, 50)),
      'empty p99 µs': round(percentile(empty, 99)),
      'hit p50 µs': round(percentile(hit, 50)),
      'hit p99 µs': round(percentile(hit, 99)),
      'added p50 µs': round(percentile(hit, 50) - percentile(empty, 50)),
      'added p99 µs': round(percentile(hit, 99) - percentile(empty, 99)),
    };
  });
}


async function fleetAccepted(statsUrl: string): Promise<number> {
  const stats = (await (await fetch(statsUrl)).json()) as { providers: Record<string, { accepted: number }> };
  return Object.values(stats.providers).reduce((sum, p) => sum + p.accepted, 0);
}

/** Zipf(1.1) popularity over distinct prompts, sent in concurrent bursts: what the cache and single-flight save. */
async function workloadWithRepeats(url: string, statsUrl: string): Promise<Record<string, string | number>> {
  const distinct = 150;
  const burst = 20;
  const random = seededRandom(42);
  const weights = Array.from({ length: distinct }, (_, rank) => 1 / (rank + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let draw = random() * total;
    for (const [rank, weight] of weights.entries()) if ((draw -= weight) <= 0) return rank;
    return distinct - 1;
  };
  const run = randomUUID();
  const pool = new Pool(url, { connections: burst });
  const outcomes = { hit: 0, miss: 0, bypass: 0, failed: 0 };
  const before = await fleetAccepted(statsUrl);
  for (let sent = 0; sent < WORKLOAD_REQUESTS; sent += burst) {
    await Promise.all(
      Array.from({ length: Math.min(burst, WORKLOAD_REQUESTS - sent) }, async () => {
        const { status, cache } = await send(pool, '/v1/chat/completions', JSON.stringify(question(`prompt ${pick()} of run ${run}`)));
        if (status !== 200) outcomes.failed++;
        else if (cache === 'hit' || cache === 'miss' || cache === 'bypass') outcomes[cache]++;
      }),
    );
  }
  const upstreamCalls = (await fleetAccepted(statsUrl)) - before;
  await pool.close();
  return {
    requests: WORKLOAD_REQUESTS,
    distinctPrompts: distinct,
    burst,
    hits: outcomes.hit,
    misses: outcomes.miss,
    failed: outcomes.failed,
    upstreamCalls,
    upstreamCallsSaved: WORKLOAD_REQUESTS - upstreamCalls,
    savedShare: round((WORKLOAD_REQUESTS - upstreamCalls) / WORKLOAD_REQUESTS),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-cache-'));
  const redis = await redisUrl();
  const fleetPort = allocatePort(2);
  const baseUrl = `http://127.0.0.1:${fleetPort}/v1`;
  const spec = parseFleet(FLEET, 'bench fleet');
  spec.providers[0]!.baseUrl = baseUrl;
  const children: Child[] = [];
  const gateways: Gateway[] = [];
  try {
    children.push(await startFreewayProcess(['simulate', '--fleet', writeTempFile('fleet.yaml', FLEET), '--port', String(fleetPort)], `${baseUrl}/models`));
    const base = fleetGatewayConfig(spec) as Record<string, unknown>;
    // maxBytes 1: the memory tier keeps nothing, so every hit comes from the tier under test.
    const noMemory = { maxEntries: 1, maxBytes: 1 };
    gateways.push(await startGateway('memory', base, { cache: { sqlitePath: null } }));
    gateways.push(await startGateway('disk (SQLite)', base, { cache: { memory: noMemory, sqlitePath: join(dir, 'cache.sqlite') } }));
    if (redis) gateways.push(await startGateway('redis', base, { state: { redis: redis.url }, cache: { memory: noMemory, sqlitePath: null } }));
    children.push(...gateways.map((g) => g.child));

    const body = JSON.stringify(question(`Explain in two paragraphs why caching saves free quota. ${randomUUID()}`));
    const rows = await measureHits(gateways, body);
    printTable(`Cache hit latency over GET /healthz on the same gateway (µs; ${ROUNDS} interleaved rounds, sequential, 1 connection)`, rows);
    const memory = rows.find((row) => row.tier === 'memory');
    const target = { 'memory hit added p99 µs': memory?.['added p99 µs'] ?? NaN, target: '< 1000 µs', met: (memory?.['added p99 µs'] ?? Infinity) < 1000 ? 'yes' : 'no' };
    printTable('Target', [target]);

    const workload = await workloadWithRepeats(gateways[0]!.url, `http://127.0.0.1:${fleetPort}/_sim/stats`);
    printTable('Upstream calls saved on a workload with repeats (Zipf 1.1, seeded; counted by the fleet)', [workload]);
    if (!redis) console.log('Redis at 127.0.0.1:6379 unreachable: the Redis row was skipped.');
    console.log(`wrote ${writeResult('cache', { node: process.version, ops: OPS, rounds: ROUNDS, rows, target, workload, redis: redis !== undefined })}`);
  } finally {
    for (const gateway of gateways) await gateway.pool.close();
    for (const child of children.reverse()) await child.stop();
    await redis?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
