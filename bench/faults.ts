/**
 * npm run bench:faults — how well requests get through a faulty fleet at ~70% of its capacity,
 * half of them streaming, for three clients measured in one run:
 *   (a) Freeway in front of the fleet, (b) a naive client that rotates providers and retries once,
 *   (c) Portkey's gateway (`@portkey-ai/gateway`) with fallback over the same providers and 2 retries.
 * Five providers serve `bench-model` (20 requests/s each): `flaky` answers 20% of requests with a
 * 500, `resetting` resets 10% of connections and stalls 3%, `down-third` is in an outage for the
 * middle third of the run, `cutting` cuts 5% of streams mid-answer, 10% before the first token and
 * sends an error-first stream on 10%, and `steady` is healthy. Every party gets a fresh fleet with
 * the same seed, so they meet the same faults. Reports success rate, silently truncated streams,
 * latency and upstream calls per client request (from the fleet's own stats).
 */
import { stringify } from 'yaml';
import { fleetGatewayConfig, parseFleet } from '../src/simulator/index.js';
import { chatBody, naiveClient, runLoad, send, type LoadReport, type Target } from './fault-client.js';
import { allocatePort, startFreewayProcess, startPortkeyProcess, writeTempFile, type Child } from './processes.js';
import { printTable, round, writeResult } from './support.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
const PER_PROVIDER_RPS = 20;
const PROVIDERS = ['flaky', 'resetting', 'down-third', 'cutting', 'steady'] as const;
const RATE = Math.round(PROVIDERS.length * PER_PROVIDER_RPS * 0.7);
const TIMEOUT_MS = 10_000;
const SEED = 7;

function fleetYaml(): string {
  const third = Math.round((SECONDS * 1000) / 3);
  const faults: Record<(typeof PROVIDERS)[number], unknown[]> = {
    flaky: [{ kind: 'server-error', status: 500, rate: 0.2 }],
    resetting: [
      { kind: 'reset', rate: 0.1 },
      { kind: 'stall', rate: 0.03 },
    ],
    'down-third': [{ kind: 'outage', status: 503, from: `${third}ms`, for: `${third}ms` }],
    cutting: [
      { kind: 'sse-error', rate: 0.1 },
      { kind: 'stream-cut', afterTokens: 0, rate: 0.1 },
      { kind: 'stream-cut', afterTokens: 3, rate: 0.05 },
    ],
    steady: [],
  };
  return stringify({
    name: 'faults',
    providers: PROVIDERS.map((id) => ({
      id,
      dialect: 'openai',
      keys: [`sim-${id}-key`],
      latency: { ttftMs: 40, tokensPerSecond: 400, jitter: 0.3 },
      limits: [{ requests: PER_PROVIDER_RPS, per: 'second' }],
      models: [{ id: 'bench-model', contextWindow: 32768, maxOutputTokens: 4096 }],
      faults: faults[id],
    })),
  });
}

interface Fleet {
  child: Child;
  baseUrls: string[];
  keys: string[];
  stats(): Promise<number>;
}

async function startFleet(fleetFile: string, port: number, yaml: string): Promise<Fleet> {
  const spec = parseFleet(yaml, 'bench fleet');
  const baseUrls = spec.providers.map((_, i) => `http://127.0.0.1:${port + i}/v1`);
  const child = await startFreewayProcess(
    ['simulate', '--fleet', fleetFile, '--port', String(port), '--seed', String(SEED)],
    `${baseUrls[0]}/models`,
  );
  return {
    child,
    baseUrls,
    keys: spec.providers.map((p) => p.keys[0]!),
    // Requests that reached a provider's chat route, refused ones included.
    async stats() {
      const stats = (await (await fetch(`http://127.0.0.1:${port}/_sim/stats`)).json()) as {
        providers: Record<string, { accepted: number; rejected: number; invalid: number; unauthorized: number; faults: Record<string, number> }>;
      };
      return Object.values(stats.providers).reduce(
        (sum, p) => sum + p.accepted + p.rejected + p.invalid + p.unauthorized + (p.faults['outage'] ?? 0) + (p.faults['busy'] ?? 0),
        0,
      );
    },
  };
}

function freewayConfig(yaml: string, port: number): string {
  const spec = parseFleet(yaml, 'bench fleet');
  spec.providers.forEach((p, i) => (p.baseUrl = `http://127.0.0.1:${port + i}/v1`));
  return stringify({
    ...fleetGatewayConfig(spec),
    cache: { mode: 'off', sqlitePath: null },
    // The same 10 s patience the other clients get, as the first-token timeout's upper bound.
    resilience: { firstTokenTimeoutMs: { min: 1_000, max: TIMEOUT_MS } },
  });
}

type Party = 'freeway' | 'naive' | 'portkey';

async function runParty(party: Party, yaml: string): Promise<LoadReport & { upstreamCalls: number }> {
  const fleetPort = allocatePort(PROVIDERS.length);
  const fleetFile = writeTempFile('fleet.yaml', yaml);
  const children: Child[] = [];
  let target: Target | undefined;
  if (party === 'freeway') {
    const port = allocatePort();
    const configFile = writeTempFile('freeway.yaml', freewayConfig(yaml, fleetPort));
    children.push(await startFreewayProcess(['serve', '--config', configFile, '--port', String(port)], `http://127.0.0.1:${port}/healthz`));
    target = { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: {} };
  } else if (party === 'portkey') {
    const port = allocatePort();
    children.push(await startPortkeyProcess(port));
    const spec = parseFleet(yaml, 'bench fleet');
    const config = {
      strategy: { mode: 'fallback' },
      retry: { attempts: 2 },
      request_timeout: TIMEOUT_MS,
      targets: spec.providers.map((p, i) => ({ provider: 'openai', custom_host: `http://127.0.0.1:${fleetPort + i}/v1`, api_key: p.keys[0] })),
    };
    target = { url: `http://127.0.0.1:${port}/v1/chat/completions`, headers: { 'x-portkey-config': JSON.stringify(config) } };
  }
  // The fleet starts last, right before the load, so its fault schedule lines up with the run.
  const fleet = await startFleet(fleetFile, fleetPort, yaml);
  children.push(fleet.child);
  const total = RATE * SECONDS;
  let report: LoadReport;
  if (target) {
    const gateway = target;
    report = await runLoad(total, RATE, (index, stream) => send(gateway, chatBody(index, stream), stream, TIMEOUT_MS * 3));
  } else {
    const providers = fleet.baseUrls.map((url, i) => ({ url: `${url}/chat/completions`, headers: { authorization: `Bearer ${fleet.keys[i]}` } }));
    report = await runLoad(total, RATE, naiveClient(providers, TIMEOUT_MS));
  }
  const upstreamCalls = await fleet.stats();
  for (const child of children.reverse()) await child.stop();
  return { ...report, upstreamCalls };
}

async function main(): Promise<void> {
  const yaml = fleetYaml();
  const parties: Party[] = ['freeway', 'naive', 'portkey'];
  const reports: Record<string, LoadReport & { upstreamCalls: number }> = {};
  for (const party of parties) {
    console.log(`running ${party}: ${RATE} req/s for ${SECONDS}s…`);
    reports[party] = await runParty(party, yaml);
  }
  const rows = parties.map((party) => {
    const r = reports[party]!;
    return {
      client: party,
      requests: r.requests,
      'success %': round((100 * r.ok) / r.requests, 2),
      // A cut after the first byte cannot be failed over by anyone; reported to the client, it is counted apart.
      'success % w/o reported cuts': round((100 * r.ok) / (r.requests - r.cutReported), 2),
      'silently truncated': r.truncated,
      'cut mid-stream, reported': r.cutReported,
      failed: r.failed,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      'upstream calls / request': round(r.upstreamCalls / r.requests, 2),
    };
  });
  printTable(
    `faults: ${PROVIDERS.length} providers × ${PER_PROVIDER_RPS} req/s, load ${RATE} req/s (70%) for ${SECONDS}s, half streaming (targets: Freeway success ≥ 99.9%, 0 silently truncated)`,
    rows,
  );
  console.log('statuses seen by the client:', Object.fromEntries(parties.map((p) => [p, reports[p]!.statuses])));
  console.log(`wrote ${writeResult('faults', { seconds: SECONDS, rate: RATE, perProviderRps: PER_PROVIDER_RPS, rows, reports })}`);
}

await main();
