/**
 * Reservations per second on the quota ledger: the memory store as the baseline, then the Redis
 * store (one instance, and three instances on one Redis as a fleet would run), each with many
 * concurrent callers, every reservation taking 3 limits on 2 buckets through one Lua call.
 * Run: npx tsx bench/quota-redis-throughput.ts [--seconds N] [--callers N]
 * Prints a table and writes bench/results/quota-redis-throughput.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Redis } from 'ioredis';
import { systemClock } from '../src/core/clock.js';
import { DAY, MINUTE } from '../src/core/limits.js';
import { createMemoryQuotaStore, createQuotaLedger, createRedisQuotaStore, type BucketSpec, type QuotaLedger } from '../src/quota/index.js';
import { deleteRedisPrefix } from './support.js';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const seconds = argument('seconds', 3);
const callers = argument('callers', 64);
const big = 1e12; // never binding: this measures the path, not denials

const buckets: BucketSpec[] = [
  { key: 'bench:org', limits: [{ unit: 'requests', amount: big, windowMs: MINUTE }, { unit: 'tokens', amount: big, windowMs: MINUTE }] },
  { key: 'bench:org:model', limits: [{ unit: 'requests', amount: big, windowMs: DAY, calendar: 'day', timeZone: 'America/Los_Angeles' }] },
];

interface Row {
  store: string;
  instances: number;
  callers: number;
  withSettle: boolean;
  reservations: number;
  seconds: number;
  perSecond: number;
  ratioToMemory: number;
}

/** Runs `callers` loops spread over the ledgers until the time is up; counts successful reservations. */
async function measure(ledgers: QuotaLedger[], withSettle: boolean): Promise<{ count: number; elapsed: number }> {
  let count = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const loop = async (ledger: QuotaLedger) => {
    while (performance.now() < until) {
      const result = await ledger.tryReserve({ buckets, tokens: 500 });
      if (!result.ok) throw new Error('a reservation was denied: the benchmark limits are wrong');
      if (withSettle) await ledger.settle(result.reservation, { tokens: 320 });
      count += 1;
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, index) => loop(ledgers[index % ledgers.length]!)));
  return { count, elapsed: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const prefix = `freeway-bench:${randomUUID()}:`;
  const connections: Redis[] = [];
  const connect = async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    await redis.ping();
    connections.push(redis);
    return redis;
  };
  const redisLedgers = async (instances: number) => {
    const ledgers: QuotaLedger[] = [];
    for (let i = 0; i < instances; i += 1) {
      const store = createRedisQuotaStore({ redis: await connect(), prefix, clock: systemClock });
      ledgers.push(createQuotaLedger({ store, clock: systemClock }));
    }
    return ledgers;
  };

  const rows: Row[] = [];
  for (const withSettle of [false, true]) {
    const cases: [string, number, () => Promise<QuotaLedger[]>][] = [
      ['memory', 1, async () => [createQuotaLedger({ store: createMemoryQuotaStore(), clock: systemClock })]],
      ['redis', 1, () => redisLedgers(1)],
      ['redis', 3, () => redisLedgers(3)],
    ];
    let memoryRate = 0;
    for (const [store, instances, build] of cases) {
      const ledgers = await build();
      await measure(ledgers, withSettle); // warm-up: script loading, JIT
      const { count, elapsed } = await measure(ledgers, withSettle);
      const perSecond = count / elapsed;
      if (store === 'memory') memoryRate = perSecond;
      rows.push({ store, instances, callers, withSettle, reservations: count, seconds: elapsed, perSecond, ratioToMemory: perSecond / memoryRate });
      const health = await ledgers[0]!.snapshot();
      if (health.store.isDegraded || health.store.fallbackOperations > 0) throw new Error('the Redis store fell back to memory during the run');
    }
  }

  const cleanup = connections[0];
  if (cleanup) await deleteRedisPrefix(cleanup, prefix);
  for (const connection of connections) connection.disconnect();

  console.log(`quota reservations per second (${callers} concurrent callers, ${seconds}s each, 3 limits on 2 buckets per reservation)`);
  console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`);
  console.table(
    rows.map((row) => ({
      store: row.store,
      instances: row.instances,
      'reserve+settle': row.withSettle ? 'yes' : 'no',
      'reservations/s': Math.round(row.perSecond),
      'vs memory': `${row.ratioToMemory.toFixed(3)}×`,
      'target ≥10k/s': row.store === 'redis' ? (row.perSecond >= 10_000 ? 'met' : 'MISSED') : '',
    })),
  );
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const result = {
    benchmark: 'quota-redis-throughput',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
    settings: { seconds, callers, limitsPerReservation: 3, bucketsPerReservation: 2 },
    rows,
  };
  await writeFile(new URL('./results/quota-redis-throughput.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
