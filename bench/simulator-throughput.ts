/**
 * How fast one simulated provider serves small non-streaming completions with zero latency, so the
 * fleet is never the bottleneck of a gateway benchmark (target: ≥ 5,000 req/s). The baseline, measured
 * in the same run, is a bare node:http server answering a fixed JSON body: the ratio shows what the
 * simulator's own work costs. Each server runs in its own child process; autocannon runs here. Prints a table and writes bench/results/simulator-throughput.json.
 * Throughput counts 2xx answers only: a 429 or 500 is not a completion a user would count.
 *
 *   npx tsx bench/simulator-throughput.ts [--duration 10] [--connections 50]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parseFleet, startFleet } from '../src/simulator/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const duration = flag('duration', 10);
const connections = flag('connections', 50);

const body = JSON.stringify({
  model: 'bench-model',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Say something short.' }],
});

async function measure(url: string, headers: Record<string, string>, seconds = duration): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    duration: seconds,
    pipelining: 1,
  });
}

/** Server side, run in a child process so autocannon and the server do not share one event loop. */
async function serve(kind: string): Promise<void> {
  if (kind === 'baseline') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          '{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.stdout.write(`URL http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions\n`);
    return;
  }
  const fleet = await startFleet(
    parseFleet(`
providers:
  - id: bench
    dialect: groq
    keys: [bench-key]
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    models: [{ id: bench-model, maxOutputTokens: 64 }]
`),
    { seed: 1 },
  );
  process.stdout.write(`URL ${fleet.providers[0]!.baseUrl}/chat/completions\n`);
  process.on('message', () => process.send?.(fleet.stats().providers.bench));
}

interface Child {
  url: string;
  process: ChildProcess;
}

async function spawnServer(kind: string): Promise<Child> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /URL (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`${kind} server exited`)));
  });
  return { url, process: child };
}

const serveIndex = args.indexOf('--serve');
if (serveIndex >= 0) {
  await serve(args[serveIndex + 1] ?? 'simulator');
} else {
  const baseline = await spawnServer('baseline');
  const simulator = await spawnServer('simulator');
  // A short warm-up so the JIT has seen each hot path before it is measured.
  await measure(baseline.url, {}, 2);
  const base = await measure(baseline.url, {});
  await measure(simulator.url, { authorization: 'Bearer bench-key' }, 2);
  const sim = await measure(simulator.url, { authorization: 'Bearer bench-key' });
  const stats = await new Promise<{ accepted: number; completed: number; violations: number }>((resolve) => {
    simulator.process.once('message', (m) => resolve(m as { accepted: number; completed: number; violations: number }));
    simulator.process.send('stats');
  });
  baseline.process.kill();
  simulator.process.kill();
  report(base, sim, stats);
}

/** Completions per second: 2xx answers only, over the measured duration. */
function okPerSecond(r: autocannon.Result): number {
  return r['2xx'] / r.duration;
}

function report(
  base: autocannon.Result,
  sim: autocannon.Result,
  stats: { accepted: number; completed: number; violations: number },
): void {
  const row = (name: string, r: autocannon.Result) => ({
    server: name,
    '2xx/s': Math.round(okPerSecond(r)),
    'all answers/s': Math.round(r.requests.average),
    'p50 ms': r.latency.p50,
    'p99 ms': r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  });
  const rows = [row('bare node:http (baseline)', base), row('simulated provider', sim)];
  console.table(rows);
  const ratio = okPerSecond(sim) / okPerSecond(base);
  const target = 5000;
  const met = okPerSecond(sim) >= target;
  console.log(`simulator / baseline (2xx/s) = ${ratio.toFixed(2)}; target ≥ ${target} 2xx/s: ${met ? 'met' : 'NOT met'}`);

  const result = {
    benchmark: 'simulator-throughput',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    durationSeconds: duration,
    connections,
    rows,
    ratio: Number(ratio.toFixed(3)),
    targetRequestsPerSecond: target,
    targetMet: met,
    counted: '2xx answers per second',
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    simulatorStats: { accepted: stats.accepted, completed: stats.completed, violations: stats.violations },
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/simulator-throughput.json', import.meta.url),
    JSON.stringify(result, null, 2) + '\n',
  );
}
