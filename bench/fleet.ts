/**
 * `npm run bench:fleet`: the time-scaled default fleet, loaded at 1.2× its combined capacity for
 * ten minutes of fleet time, first through Freeway and then, on a fresh fleet, by a naive client
 * that rotates providers and retries 429s after a fixed pause. Reports goodput as a share of the
 * fleet's theoretical capacity, upstream 429s (the fleet's own count), 429s seen by clients, and
 * the Redis quota store's reservations per second (bench/quota-redis-throughput.ts, same run).
 *
 * The load generator, the fleet and the gateway each run in a process of their own, as users run
 * them; fleet and gateway read one time-scaled clock through a shared anchor (see fleet-stack-server.ts),
 * so their windows and calendar resets agree without sharing an event loop.
 *
 * `--instances 1,3` runs one Freeway phase per count: N gateway processes on one Redis (a fresh key
 * prefix per phase) sharing one quota ledger, the load rotated over them as a load balancer would;
 * a single instance uses the memory store unless `--redis-always`. Scale-out must not waste quota:
 * N instances should serve what one serves.
 *
 * Run: npx tsx bench/fleet.ts [--time-scale 12] [--fleet-minutes 10] [--load 1.2] [--instances 1,3]
 *        [--redis URL] [--redis-always] [--fleet FILE] [--skip-naive] [--skip-redis]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { defaultFleet, loadFleetFile, type FleetStats } from '../src/simulator/index.js';
import { fleetCapacity } from './fleet-capacity.js';
import { closeLoadAgent, gatewaySender, naiveSender, runOpenLoop, type LoadSummary } from './fleet-load.js';
import { allocatePort, startScriptProcess } from './processes.js';
import { deleteRedisPrefix, printTable, round, writeResult } from './support.js';

const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '12' },
    'fleet-minutes': { type: 'string', default: '10' },
    load: { type: 'string', default: '1.2' },
    'max-tokens': { type: 'string', default: '32' },
    'skip-redis': { type: 'boolean', default: false },
    instances: { type: 'string', default: '1' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    'redis-always': { type: 'boolean', default: false },
    fleet: { type: 'string' },
    'skip-naive': { type: 'boolean', default: false },
  },
});
const instanceCounts = values.instances.split(',').map(Number);
if (instanceCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--instances takes counts like 1,3 (got ${values.instances})`);
const fleetArgs = values.fleet ? ['--fleet', values.fleet] : [];
const timeScale = Number(values['time-scale']);
const fleetMs = Number(values['fleet-minutes']) * 60_000;
const loadFactor = Number(values.load);
const maxTokens = Number(values['max-tokens']);
/** What a request may wait for quota, in fleet ms: the gateway's default max wait. */
const MAX_WAIT_FLEET_MS = 30_000;
/** The naive client's fixed pause after a 429, in fleet ms. */
const NAIVE_PAUSE_FLEET_MS = 1_000;
/** Wall ms a call may take from reservation to the fleet on this shared machine, as the gateway's guard. */
const WALL_JITTER_MS = Number(process.env.FLEET_BENCH_JITTER_MS ?? 30);
/** Prompt plus answer tokens per request, to size the load before the run measures the real figure. */
const ESTIMATED_TOKENS_PER_REQUEST = 45;

const spec = values.fleet ? loadFleetFile(values.fleet) : defaultFleet();
const chatProviders = spec.providers.length;
const wallMs = fleetMs / timeScale;
const toFleet = (anchorWall: number, wall: number) => anchorWall + (wall - anchorWall) * timeScale;
const planned = fleetCapacity(spec, Date.now(), Date.now() + fleetMs, ESTIMATED_TOKENS_PER_REQUEST);
const count = Math.round(loadFactor * planned.reduce((sum, row) => sum + row.requests, 0));

interface PhaseResult {
  load: LoadSummary;
  stats: FleetStats;
  fleetFrom: number;
  fleetTo: number;
}

/** Gateways of one phase: `instances` processes; on Redis (a fresh key prefix) when several, or when asked. */
interface GatewayPlan {
  instances: number;
  redisPrefix?: string;
}

async function runPhase(plan: GatewayPlan | 'naive'): Promise<PhaseResult> {
  const fleetPort = allocatePort(chatProviders);
  const anchorWall = Date.now();
  const common = ['--fleet-port', String(fleetPort), '--time-scale', String(timeScale), '--anchor', String(anchorWall), ...fleetArgs];
  const statsUrl = `http://127.0.0.1:${fleetPort}/_sim/stats`;
  const children = [await startScriptProcess('fleet-stack-server.ts', ['--mode', 'fleet', '--seed', '3', ...common], statsUrl)];
  try {
    const gatewayUrls: string[] = [];
    if (plan !== 'naive') {
      const redisArgs = plan.redisPrefix ? ['--redis', `${values.redis}${values.redis.includes('?') ? '&' : '?'}keyPrefix=${encodeURIComponent(plan.redisPrefix)}`] : [];
      for (let index = 0; index < plan.instances; index++) {
        const gatewayPort = allocatePort();
        const args = ['--mode', 'gateway', '--gateway-port', String(gatewayPort), '--guard-ms', String(WALL_JITTER_MS * timeScale), ...redisArgs, ...common];
        children.push(await startScriptProcess('fleet-stack-server.ts', args, `http://127.0.0.1:${gatewayPort}/healthz`));
        gatewayUrls.push(`http://127.0.0.1:${gatewayPort}`);
      }
    }
    const send =
      plan !== 'naive'
        ? gatewaySender({ urls: gatewayUrls, maxTokens, maxWaitMs: MAX_WAIT_FLEET_MS })
        : naiveSender({
            targets: spec.providers
              .flatMap((provider, index) =>
                provider.models.filter((m) => m.kind === 'chat').map((m) => ({ baseUrl: `http://127.0.0.1:${fleetPort + index}/v1`, apiKey: provider.keys[0]!, model: m.upstreamId, order: index })),
              )
              .sort((a, b) => a.model.localeCompare(b.model) || a.order - b.order),
            maxTokens,
            pauseMs: NAIVE_PAUSE_FLEET_MS / timeScale,
            deadlineMs: MAX_WAIT_FLEET_MS / timeScale,
          });
    const started = Date.now();
    const load = await runOpenLoop(count, wallMs, send);
    const stats = (await (await fetch(statsUrl)).json()) as FleetStats;
    return { load, stats, fleetFrom: toFleet(anchorWall, started), fleetTo: toFleet(anchorWall, started + wallMs) };
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

/** Removes a phase's quota keys (calendar counters would otherwise live until their period ends). */
async function removeRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(values.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deleteRedisPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

function redisThroughput(): Promise<number | undefined> {
  if (values['skip-redis']) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'quota-redis-throughput.ts'), '--seconds', '3'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      if (code !== 0) return resolve(undefined);
      const result = JSON.parse(readFileSync(join(import.meta.dirname, 'results', 'quota-redis-throughput.json'), 'utf8')) as { rows: { store: string; instances: number; withSettle: boolean; perSecond: number }[] };
      const rows = result.rows.filter((r) => r.store === 'redis' && !r.withSettle);
      resolve(rows.length > 0 ? Math.max(...rows.map((r) => r.perSecond)) : undefined);
    });
  });
}

const tokensPerRequest = (stats: FleetStats) => {
  const all = Object.values(stats.providers);
  const completed = all.reduce((sum, p) => sum + p.completed, 0);
  return completed > 0 ? all.reduce((sum, p) => sum + p.promptTokens + p.completionTokens, 0) / completed : ESTIMATED_TOKENS_PER_REQUEST;
};

console.log(`fleet benchmark: ${count} requests (${loadFactor}× planned capacity) over ${fleetMs / 60_000} fleet minutes = ${round(wallMs / 1000, 1)} s wall at time scale ${timeScale}`);
const phases: { name: string; result: PhaseResult }[] = [];
for (const instances of instanceCounts) {
  const isOnRedis = instances > 1 || values['redis-always'];
  const redisPrefix = isOnRedis ? `freeway-bench-fleet:${randomUUID()}:` : undefined;
  try {
    const result = await runPhase({ instances, ...(redisPrefix ? { redisPrefix } : {}) });
    phases.push({ name: `freeway ×${instances} (${isOnRedis ? 'redis' : 'memory'})`, result });
  } finally {
    if (redisPrefix) await removeRedisPrefix(redisPrefix);
  }
}
const naive = values['skip-naive'] ? undefined : await runPhase('naive');
const gateway = phases[0]!.result;
const reservationsPerSecond = await redisThroughput();
await closeLoadAgent();

const rowFor = (name: string, phase: PhaseResult) => {
  const tokens = tokensPerRequest(phase.stats);
  const capacity = fleetCapacity(spec, phase.fleetFrom, phase.fleetTo, tokens);
  const total = capacity.reduce((sum, row) => sum + row.requests, 0);
  const served = Object.values(phase.stats.providers).reduce((sum, p) => sum + p.completed, 0);
  const upstream429s = Object.values(phase.stats.providers).reduce((sum, p) => sum + p.rejected, 0);
  return {
    client: name,
    sent: phase.load.sent,
    'succeeded in window': phase.load.succeededInWindow,
    'capacity (requests)': total,
    'goodput / capacity': round(phase.load.succeededInWindow / total, 3),
    'succeeded incl. drain': phase.load.succeeded,
    'upstream calls': Object.values(phase.stats.providers).reduce((sum, p) => sum + p.accepted + p.rejected, 0),
    'upstream 429s': upstream429s,
    'upstream 429s seen by clients': phase.load.upstream429sSeenByClient,
    'fleet violations': phase.stats.violations,
    'served by fleet': served,
    'tokens / request': round(tokens, 1),
    'p50 / p99 wall ms': `${phase.load.p50Ms} / ${phase.load.p99Ms}`,
    'send lag ms': phase.load.sendLagMs,
  };
};
const rows = [...phases.map((phase) => rowFor(phase.name, phase.result)), ...(naive ? [rowFor('naive rotate + fixed pause', naive)] : [])];
printTable(`Time-scaled ${spec.name ?? "custom"} fleet at ${loadFactor}× capacity for ${fleetMs / 60_000} fleet minutes (goodput: answers that ended within them)`, rows);
printTable('How requests ended', [
  ...phases.map((phase) => ({ client: phase.name, ...phase.result.load.byOutcome })),
  ...(naive ? [{ client: 'naive', ...naive.load.byOutcome }] : []),
]);
const gatewayCapacity = fleetCapacity(spec, gateway.fleetFrom, gateway.fleetTo, tokensPerRequest(gateway.stats));
const perProvider = Object.keys(gateway.stats.providers).map((id) => ({
  provider: id,
  'capacity (first phase window)': gatewayCapacity.find((row) => row.provider === id)?.requests ?? 0,
  ...Object.fromEntries(phases.flatMap((phase) => [
    [`${phase.name}: accepted`, phase.result.stats.providers[id]?.accepted ?? 0],
    [`${phase.name}: 429s`, phase.result.stats.providers[id]?.rejected ?? 0],
  ])),
  ...(naive ? { 'naive: accepted': naive.stats.providers[id]?.accepted ?? 0, 'naive: 429s': naive.stats.providers[id]?.rejected ?? 0 } : {}),
}));
printTable('Per provider (fleet stats)', perProvider);
printTable('Redis quota store', [{ 'reservations / s (best of 1 and 3 instances)': reservationsPerSecond === undefined ? 'not measured' : Math.round(reservationsPerSecond) }]);
const file = writeResult('fleet', {
  settings: { fleet: spec.name, timeScale, fleetMinutes: fleetMs / 60_000, loadFactor, maxTokens, requests: count, instances: instanceCounts, maxWaitFleetMs: MAX_WAIT_FLEET_MS, naivePauseFleetMs: NAIVE_PAUSE_FLEET_MS, guardFleetMs: WALL_JITTER_MS * timeScale },
  machine: { cpus: os.cpus().length, loadAverage: os.loadavg(), node: process.version },
  rows,
  outcomes: Object.fromEntries([...phases.map((phase): [string, Record<string, number>] => [phase.name, phase.result.load.byOutcome]), ...(naive ? [['naive', naive.load.byOutcome] as [string, Record<string, number>]] : [])]),
  perProvider,
  redisReservationsPerSecond: reservationsPerSecond ?? null,
  fleetStats: Object.fromEntries([...phases.map((phase): [string, FleetStats] => [phase.name, phase.result.stats]), ...(naive ? [['naive', naive.stats] as [string, FleetStats]] : [])]),
});
console.log(`\nwrote ${file}`);
