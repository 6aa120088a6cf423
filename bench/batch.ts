/**
 * `npm run bench:batch`: 5,000 chat lines through the Batch API on the time-scaled default fleet,
 * first on one gateway in embedded mode (SQLite), then on a gateway and 3 `worker` processes on a
 * Redis of the bench's own. Reports each run's completion time against two lower bounds, the
 * fleet's own 429 count (and by which limit), and the p50 latency of interactive requests sent at a
 * steady low rate while the batch runs, against the same gateway's p50 when idle (measured just
 * before, in the same run).
 *
 * The bounds: `auto` may route a plain chat line to every chat deployment of the default fleet, so
 * the whole fleet's capacity (fleetCapacity()) is what the lines can use. The fleet bound is the
 * shortest window in which the fleet's limits allow the batch's lines plus the interactive requests
 * sent meanwhile. The reserve bound also holds the lines to what `low` priority may use under the
 * gateway's quota.interactiveReserve (each limit filled no higher than its amount less the share:
 * one burst lost per refilling limit, the share of every calendar period): the best any gateway
 * keeping that reserve could do. With --interactive-reserve 0 both bounds are the same.
 *
 * Lines count as served only as a user sees them: a line in the output file with status 200 and a
 * chat completion in its body. The warm-up and idle requests before the batch are left out of the
 * bound (they spent a little quota already, so the bounds are slightly optimistic). The idle p50 is
 * taken after a few warm-up requests, so a cold process's first answers do not inflate it.
 *
 * Run: npx tsx bench/batch.ts [--time-scale 12] [--lines 5000] [--interactive-every-ms 500] [--skip-redis] [--interactive-reserve 0.1] [--concurrency N]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { defaultFleet, type FleetStats } from '../src/simulator/index.js';
import { fleetCapacity } from './fleet-capacity.js';
import { cpuMs } from './process-cpu.js';
import { allocatePort, startScriptProcess, type Child } from './processes.js';
import { median, printTable, round, writeResult } from './support.js';

const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '12' },
    lines: { type: 'string', default: '5000' },
    'interactive-every-ms': { type: 'string', default: '500' },
    'idle-samples': { type: 'string', default: '15' },
    'skip-redis': { type: 'boolean', default: false },
    /** quota.interactiveReserve of the gateway and workers; the config's default when absent. */
    'interactive-reserve': { type: 'string' },
    /** batch.concurrency of the gateway and each worker; the config's default when absent. */
    concurrency: { type: 'string' },
  },
});
const timeScale = Number(values['time-scale']);
const lineCount = Number(values.lines);
const interactiveEveryMs = Number(values['interactive-every-ms']);
const idleSamples = Number(values['idle-samples']);
const interactiveReserve = values['interactive-reserve'] !== undefined ? Number(values['interactive-reserve']) : parseConfig('{}', { env: {}, fileName: 'defaults' }).quota.interactiveReserve;
const WARMUP_REQUESTS = 5;
const WALL_JITTER_MS = Number(process.env['BATCH_BENCH_JITTER_MS'] ?? 30);
const spec = defaultFleet();
const root = join(import.meta.dirname, '..');

const chatBody = (i: number, tag: string) => ({
  model: 'auto',
  messages: [{ role: 'user', content: `${tag} ${i}: give one short fact about the number ${i}` }],
  max_tokens: 32,
});

function inputFile(): Buffer {
  const lines = Array.from({ length: lineCount }, (_, i) => JSON.stringify({ custom_id: `line-${i}`, method: 'POST', url: '/v1/chat/completions', body: chatBody(i, 'batch') }));
  return Buffer.from(lines.join('\n') + '\n');
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Where interactive requests were served (provider/model) and their latencies there, idle and busy,
 * per run: a slower deployment shows in the p50, and the same deployment's p50 idle and busy tells
 * the gateway's own slow-down (CPU, queues) apart from routing's.
 */
type Landed = Record<'idle' | 'busy', Record<string, number[]>>;
let landed: Landed = { idle: {}, busy: {} };

async function interactive(url: string, i: number, phase?: 'idle' | 'busy'): Promise<number | undefined> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-freeway-priority': 'normal' },
    body: JSON.stringify(chatBody(i, 'interactive')),
  });
  await response.arrayBuffer();
  const latency = performance.now() - started;
  if (phase && response.ok) {
    const where = `${response.headers.get('x-freeway-provider')}/${response.headers.get('x-freeway-model')}`;
    (landed[phase][where] ??= []).push(latency);
  }
  return response.ok ? latency : undefined;
}

/** `where: count×p50ms`, most used first. */
const describeLanded = (byWhere: Record<string, number[]>): string =>
  Object.entries(byWhere)
    .sort((a, b) => b[1].length - a[1].length)
    .map(([where, latencies]) => `${where}: ${latencies.length}×${round(median(latencies), 1)}ms`)
    .join(', ');

function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = allocatePort();
  const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) resolve({ url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') });
    });
  });
}

function startWorkerProcess(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'batch-stack-server.ts'), '--mode', 'worker', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
  });
}

/**
 * The shortest fleet time from `from` in which the fleet's limits allow `lines` batch lines and
 * `interactive` more requests, the lines held to `low` priority's share `reserveShare` left free.
 */
function lowerBoundMs(lines: number, interactive: number, from: number, tokensPerRequest: number, reserveShare: number): number {
  const capacity = (ms: number, share: number) => fleetCapacity(spec, from, from + ms, tokensPerRequest, share).reduce((sum, row) => sum + row.requests, 0);
  const allowed = (ms: number) => capacity(ms, 0) >= lines + interactive && (reserveShare === 0 || capacity(ms, reserveShare) >= lines);
  let low = 0;
  let high = 24 * 3_600_000;
  while (high - low > 100) {
    const middle = (low + high) / 2;
    if (allowed(middle)) high = middle;
    else low = middle;
  }
  return high;
}

interface RunResult {
  mode: string;
  /** Lines in the output file with a 200 chat completion. */
  servedLines: number;
  failedLines: number;
  fleetSeconds: number;
  fleetBoundSeconds: number;
  ratio: number;
  reserveBoundSeconds: number;
  ratioToReserveBound: number;
  upstream429: number;
  rejectedByLimit: Record<string, number>;
  interactiveSent: number;
  interactiveFailed: number;
  idleP50Ms: number;
  busyP50Ms: number;
  p50Ratio: number;
  /** CPU ms the gateway (and workers) used during the batch, per line. */
  cpuMsPerLine: number;
  servedByProvider: Record<string, number>;
  /** Interactive requests per deployment with their p50, idle and busy. */
  landedIdle: string;
  landedBusy: string;
  trace?: { fleetS: number; served: Record<string, number> }[];
}

async function runMode(mode: 'embedded' | 'redis'): Promise<RunResult> {
  landed = { idle: {}, busy: {} };
  const fleetPort = allocatePort(spec.providers.length);
  const gatewayPort = allocatePort();
  const anchor = Date.now();
  const toFleet = (wall: number) => anchor + (wall - anchor) * timeScale;
  const common = ['--fleet-port', String(fleetPort), '--time-scale', String(timeScale), '--anchor', String(anchor)];
  const children: Child[] = [];
  const workers: ChildProcess[] = [];
  let redis: { url: string; stop(): void } | undefined;
  try {
    children.push(await startScriptProcess('fleet-stack-server.ts', ['--mode', 'fleet', '--seed', '3', ...common], `http://127.0.0.1:${fleetPort}/_sim/stats`));
    const guard = ['--guard-ms', String(WALL_JITTER_MS * timeScale), '--interactive-reserve', String(interactiveReserve), ...(values.concurrency ? ['--concurrency', values.concurrency] : [])];
    const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-batch-'));
    if (mode === 'redis') redis = await startRedis();
    const backend = redis ? ['--redis', redis.url] : ['--sqlite', join(dir, 'batches.sqlite')];
    children.push(await startScriptProcess('batch-stack-server.ts', ['--mode', 'gateway', '--gateway-port', String(gatewayPort), ...guard, ...backend, ...common], `http://127.0.0.1:${gatewayPort}/healthz`));
    if (redis) for (let i = 0; i < 3; i += 1) workers.push(await startWorkerProcess([...guard, ...backend, ...common]));
    const url = `http://127.0.0.1:${gatewayPort}`;

    // A fresh process answers its first requests slowly (JIT, connection pools): warm it up first so the
    // idle baseline is the warm gateway's, as the busy samples are.
    for (let i = 0; i < WARMUP_REQUESTS; i += 1) await interactive(url, 90_000 + i);
    const idle: number[] = [];
    for (let i = 0; i < idleSamples; i += 1) {
      const latency = await interactive(url, 100_000 + i, 'idle');
      if (latency !== undefined) idle.push(latency);
      await new Promise((r) => setTimeout(r, interactiveEveryMs));
    }

    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([inputFile()]), 'bench.jsonl');
    const file = await json<{ id: string }>(await fetch(`${url}/v1/files`, { method: 'POST', body: form }));
    // CPU the gateway and workers spend on the batch: unlike the times, it hardly moves when others load the machine.
    const stackPids = [children[1]!.process.pid!, ...workers.map((w) => w.pid!)];
    const cpuBefore = stackPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const startWall = Date.now();
    const batch = await json<{ id: string }>(
      await fetch(`${url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) }),
    );

    let isDone = false;
    const busy: number[] = [];
    let interactiveSent = 0;
    let interactiveFailed = 0;
    const pending: Promise<void>[] = [];
    const ticker = (async () => {
      for (let i = 0; !isDone; i += 1) {
        interactiveSent += 1;
        pending.push(interactive(url, 200_000 + i, 'busy').then((latency) => (latency === undefined ? void (interactiveFailed += 1) : void busy.push(latency))));
        await new Promise((r) => setTimeout(r, interactiveEveryMs));
      }
    })();
    // BATCH_BENCH_TRACE=1: the fleet's served count per provider every 250 ms of wall time, to see where time goes.
    const trace: { fleetS: number; served: Record<string, number> }[] = [];
    const tracer = process.env['BATCH_BENCH_TRACE']
      ? setInterval(() => {
          const at = toFleet(Date.now()) - toFleet(startWall);
          void fetch(`http://127.0.0.1:${fleetPort}/_sim/stats`)
            .then((r) => r.json() as Promise<FleetStats>)
            .then((s) => trace.push({ fleetS: round(at / 1000, 1), served: Object.fromEntries(Object.entries(s.providers).map(([id, p]) => [id, p.accepted])) }))
            .catch(() => {});
        }, 250)
      : undefined;
    let final: { status: string; output_file_id: string | null; request_counts: { completed: number; failed: number } };
    for (;;) {
      final = await json(await fetch(`${url}/v1/batches/${batch.id}`));
      if (['completed', 'failed', 'expired', 'cancelled'].includes(final.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const endWall = Date.now();
    const stackCpuMs = stackPids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
    if (tracer) clearInterval(tracer);
    isDone = true;
    await ticker;
    await Promise.all(pending);

    const output = final.output_file_id ? await (await fetch(`${url}/v1/files/${final.output_file_id}/content`)).text() : '';
    const served = new Set<string>();
    for (const text of output.split('\n')) {
      if (!text.trim()) continue;
      const row = JSON.parse(text) as { custom_id: string; response?: { status_code: number; body?: { choices?: { message?: { content?: unknown } }[] } } };
      if (row.response?.status_code === 200 && typeof row.response.body?.choices?.[0]?.message?.content === 'string') served.add(row.custom_id);
    }

    const stats = await json<FleetStats>(await fetch(`http://127.0.0.1:${fleetPort}/_sim/stats`));
    const all = Object.values(stats.providers);
    const completed = all.reduce((s, p) => s + p.completed, 0);
    const tokens = all.reduce((s, p) => s + p.promptTokens + p.completionTokens, 0);
    const tokensPerRequest = completed > 0 ? tokens / completed : 45;
    const fleetMs = toFleet(endWall) - toFleet(startWall);
    const bound = lowerBoundMs(lineCount, interactiveSent, toFleet(startWall), tokensPerRequest, 0);
    const reserveBound = lowerBoundMs(lineCount, interactiveSent, toFleet(startWall), tokensPerRequest, interactiveReserve);
    const rejectedByLimit: Record<string, number> = {};
    for (const [id, p] of Object.entries(stats.providers)) for (const [limit, n] of Object.entries(p.rejectedByLimit)) rejectedByLimit[`${id} ${limit}`] = n;
    const idleP50 = median(idle);
    const busyP50 = median(busy);
    return {
      mode: mode === 'embedded' ? 'embedded (SQLite, 1 gateway)' : 'Redis (1 gateway + 3 workers)',
      servedLines: served.size,
      failedLines: final.request_counts.failed,
      fleetSeconds: round(fleetMs / 1000, 1),
      fleetBoundSeconds: round(bound / 1000, 1),
      ratio: round(fleetMs / bound, 3),
      reserveBoundSeconds: round(reserveBound / 1000, 1),
      ratioToReserveBound: round(fleetMs / reserveBound, 3),
      upstream429: all.reduce((s, p) => s + p.rejected, 0),
      rejectedByLimit,
      interactiveSent,
      interactiveFailed,
      idleP50Ms: round(idleP50, 1),
      busyP50Ms: round(busyP50, 1),
      p50Ratio: round(busyP50 / idleP50, 2),
      cpuMsPerLine: round(stackCpuMs / lineCount, 2),
      ...(trace.length > 0 ? { trace } : {}),
      servedByProvider: Object.fromEntries(Object.entries(stats.providers).map(([id, p]) => [id, p.completed])),
      landedIdle: describeLanded(landed.idle),
      landedBusy: describeLanded(landed.busy),
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    for (const child of children.reverse()) await child.stop();
    redis?.stop();
  }
}

const results: RunResult[] = [await runMode('embedded')];
if (!values['skip-redis']) results.push(await runMode('redis'));
printTable(
  `Batch of ${lineCount} chat lines on the default fleet at time scale ${timeScale}, interactiveReserve ${interactiveReserve} (fleet seconds; target ratio ≤ 1.10, p50 ratio ≤ 1.5)`,
  results.map(({ servedByProvider: _served, rejectedByLimit: _rejected, trace: _trace, landedIdle: _idle, landedBusy: _busy, ...row }) => row),
);
printTable('Upstream 429s by limit (the fleet\'s own count)', results.map((r) => ({ mode: r.mode, ...r.rejectedByLimit })));
printTable('Served by provider (the fleet\'s own count)', results.map((r) => ({ mode: r.mode, ...r.servedByProvider })));
for (const r of results) console.log(`interactive requests, ${r.mode}: idle ${r.landedIdle}; busy ${r.landedBusy}`);
console.log(`wrote ${writeResult('batch', { timeScale, lines: lineCount, interactiveEveryMs, interactiveReserve, results })}`);
