/**
 * npm run bench:overhead — what Freeway adds on top of a provider, beside the floor of any Node
 * proxy and Portkey's open-source gateway, all loaded in one run, interleaved round by round:
 *   (a) a simulated provider directly, (b) a bare undici pass-through proxy, (c) Freeway,
 *   (d) Portkey's gateway (`@portkey-ai/gateway`) pointed at the same provider.
 * Prints throughput and added p50/p99 latency, plus p99 at a fixed 500 requests per second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { parseConfig } from '../src/config/index.js';
import { startFreeway } from '../src/server/start-freeway.js';
import { fleetGatewayConfig, parseFleet, startFleet } from '../src/simulator/index.js';
import { startPassthroughProxy } from './passthrough-proxy.js';
import { load, median, printTable, round, writeResult, type LoadResult } from './support.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const CONNECTIONS = 32;

const FLEET = `
providers:
  - id: bench
    dialect: openai
    keys: [sim-bench-key]
    models:
      - id: bench-model
        contextWindow: 32768
        latency: { ttftMs: 0, tokensPerSecond: 0 }
`;

async function startPortkey(port: number): Promise<ChildProcess> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@portkey-ai/gateway/build/start-server.js');
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('Portkey gateway did not start');
}

async function main(): Promise<void> {
  const fleet = await startFleet(parseFleet(FLEET, 'bench fleet'), { seed: 1 });
  const provider = fleet.providers[0]!;
  const upstream = new URL(provider.baseUrl);
  const config = parseConfig(
    JSON.stringify({ ...(fleetGatewayConfig(fleet) as object), server: { port: 0 }, cache: { mode: 'off', sqlitePath: null } }),
    { env: {} },
  );
  const freeway = await startFreeway({ config, env: {} });
  const proxy = await startPassthroughProxy(upstream.origin);
  const portkeyPort = 18_000 + Math.floor(Math.random() * 1000);
  const portkey = await startPortkey(portkeyPort);

  const auth = { authorization: `Bearer ${provider.apiKeys[0]}` };
  const targets = {
    direct: { url: `${provider.baseUrl}/chat/completions`, headers: auth, model: 'bench-model' },
    passthrough: { url: `${proxy.url}${upstream.pathname}/chat/completions`, headers: auth, model: 'bench-model' },
    freeway: { url: `${freeway.url}/v1/chat/completions`, headers: {}, model: 'bench-model' },
    portkey: {
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': provider.baseUrl },
      model: 'bench-model',
    },
  } as const;
  type Target = keyof typeof targets;
  const body = (model: string, stream: boolean) =>
    JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 16, ...(stream ? { stream: true } : {}) });

  const results: Record<string, Record<Target, LoadResult[]>> = {};
  for (const mode of ['json', 'stream', 'rate500'] as const) {
    results[mode] = { direct: [], passthrough: [], freeway: [], portkey: [] };
    for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
      for (const name of Object.keys(targets) as Target[]) {
        const target = targets[name];
        const result = await load({
          url: target.url,
          headers: target.headers,
          body: body(target.model, mode === 'stream'),
          connections: mode === 'rate500' ? 16 : CONNECTIONS,
          durationSeconds: SECONDS,
          ...(mode === 'rate500' ? { overallRate: 500 } : {}),
        });
        results[mode][name].push(result);
      }
    }
  }

  const summary: Record<string, unknown> = {};
  for (const [mode, byTarget] of Object.entries(results)) {
    const baseP50 = median(byTarget.direct.map((r) => r.p50Ms));
    const baseP99 = median(byTarget.direct.map((r) => r.p99Ms));
    const rows = (Object.keys(byTarget) as Target[]).map((name) => {
      const runs = byTarget[name];
      const rps = median(runs.map((r) => r.requestsPerSecond));
      return {
        target: name,
        'req/s': round(rps, 0),
        'added p50 ms': round(median(runs.map((r) => r.p50Ms)) - baseP50),
        'added p99 ms': round(median(runs.map((r) => r.p99Ms)) - baseP99),
        errors: runs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      };
    });
    printTable(`${mode} (${ROUNDS} interleaved rounds × ${SECONDS}s, median)`, rows);
    summary[mode] = rows;
  }
  const rps = (mode: string, name: Target) => median(results[mode]![name].map((r) => r.requestsPerSecond));
  const ratios = {
    freewayOverPortkey: round(rps('json', 'freeway') / rps('json', 'portkey')),
    freewayOverPassthrough: round(rps('json', 'freeway') / rps('json', 'passthrough')),
    streamFreewayOverPortkey: round(rps('stream', 'freeway') / rps('stream', 'portkey')),
    streamFreewayOverPassthrough: round(rps('stream', 'freeway') / rps('stream', 'passthrough')),
    addedP99At500RpsMs: round(median(results['rate500']!.freeway.map((r) => r.p99Ms)) - median(results['rate500']!.direct.map((r) => r.p99Ms))),
  };
  printTable('ratios (targets: freeway/portkey ≥ 8, freeway/passthrough ≥ 0.6, added p99 at 500 rps < 5 ms)', [ratios]);
  console.log(`wrote ${writeResult('overhead', { rounds: ROUNDS, seconds: SECONDS, summary, ratios })}`);

  portkey.kill();
  await proxy.close();
  await freeway.close();
  await fleet.close();
}

await main();
