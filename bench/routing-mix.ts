/**
 * npx tsx bench/routing-mix.ts — what smart routing buys on the default simulated fleet. One seeded
 * mixed workload (classification, extraction, chat, code, summarization, hard reasoning) is sent
 * through the HTTP API twice in the same run, each time to a fresh fleet and gateway: once to
 * `auto`, once to one fixed model (`llama-3.3-70b`, the usual "one good model for everything").
 * For each arm: the share of requests each model class served, mean/p95 latency, tokens and quota
 * spent (from the fleet's own /_sim/stats), 429s and errors. Env: BENCH_REQUESTS (240),
 * BENCH_CONCURRENCY (6), BENCH_SEED (11), BENCH_BASELINE (llama-3.3-70b).
 */
import { parseConfig } from '../src/config/index.js';
import { sizeClassOf } from '../src/routing/index.js';
import { startFreeway } from '../src/app/start-freeway.js';
import { defaultFleet, fleetGatewayConfig, startFleet } from '../src/simulator/index.js';
import type { FleetSpec } from '../src/simulator/fleet-spec.js';
import type { FleetStats } from '../src/simulator/fleet-stats.js';
import { percentile, printTable, round, writeResult } from './support.js';
import { mixedWorkload, type WorkloadKind, type WorkloadRequest } from './routing-workload.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 240);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 6);
const SEED = Number(process.env['BENCH_SEED'] ?? 11);
const BASELINE = process.env['BENCH_BASELINE'] ?? 'llama-3.3-70b';
const SCARCE = new Set(['large', 'frontier']);

interface Outcome {
  kind: WorkloadKind;
  status: number;
  ms: number;
  /** `provider/canonical-id` that answered, or the error code. */
  deployment: string;
  sizeClass: string;
  errorCode?: string;
}

interface Arm {
  model: string;
  outcomes: Outcome[];
  stats: FleetStats;
  wallSeconds: number;
}

async function runArm(model: string, workload: WorkloadRequest[]): Promise<Arm> {
  const fleet = await startFleet(defaultFleet(), { seed: SEED });
  const config = parseConfig(
    JSON.stringify({
      ...fleetGatewayConfig(fleet),
      server: { port: 0 },
      cache: { mode: 'off', sqlitePath: null },
      routing: { predictorPath: null },
    }),
    { env: {}, fileName: 'bench config' },
  );
  const freeway = await startFreeway({ config, env: {} });
  const classes = classMap(fleet.spec);
  const outcomes: Outcome[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < workload.length) {
      const request = workload[next++]!;
      const begin = performance.now();
      const response = await fetch(`${freeway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-freeway-max-wait-ms': '30000' },
        body: JSON.stringify({ ...request.body, model }),
      });
      const body = (await response.json()) as { model?: string; error?: { code?: string } };
      const ms = performance.now() - begin;
      const deployment = response.ok ? `${response.headers.get('x-freeway-provider')}/${body.model}` : `error:${body.error?.code}`;
      outcomes.push({
        kind: request.kind,
        status: response.status,
        ms,
        deployment,
        sizeClass: classes.get(deployment) ?? (response.ok ? 'unknown' : 'error'),
        ...(response.ok ? {} : { errorCode: body.error?.code ?? String(response.status) }),
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallSeconds = (performance.now() - started) / 1000;
  const origin = new URL(fleet.providers[0]!.baseUrl).origin;
  const stats = (await (await fetch(`${origin}/_sim/stats`)).json()) as FleetStats;
  await freeway.close();
  await fleet.close();
  return { model, outcomes, stats, wallSeconds };
}

/** `provider/canonical-id` → size class, from the fleet's published parameter counts. */
function classMap(spec: FleetSpec): Map<string, string> {
  const map = new Map<string, string>();
  for (const provider of spec.providers)
    for (const model of provider.models) map.set(`${provider.id}/${model.id}`, sizeClassOf(model.params));
  return map;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const share = (part: number, whole: number) => `${round((100 * part) / Math.max(1, whole), 1)}%`;

function fleetTotals(arm: Arm, classes: Map<string, string>) {
  let prompt = 0;
  let completion = 0;
  let scarceTokens = 0;
  let rejected = 0;
  let accepted = 0;
  for (const [providerId, provider] of Object.entries(arm.stats.providers)) {
    rejected += provider.rejected;
    accepted += provider.accepted;
    for (const [modelId, m] of Object.entries(provider.models)) {
      prompt += m.promptTokens;
      completion += m.completionTokens;
      if (SCARCE.has(classes.get(`${providerId}/${modelId}`) ?? '')) scarceTokens += m.promptTokens + m.completionTokens;
    }
  }
  return { accepted, rejected429: rejected, promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, scarceTokens };
}

function summarize(arm: Arm, classes: Map<string, string>) {
  const ok = arm.outcomes.filter((o) => o.status === 200);
  const latencies = ok.map((o) => o.ms).sort((a, b) => a - b);
  const totals = fleetTotals(arm, classes);
  return {
    model: arm.model,
    requests: arm.outcomes.length,
    ok: ok.length,
    errors: arm.outcomes.length - ok.length,
    clientSaw429: arm.outcomes.filter((o) => o.status === 429).length,
    meanMs: round(mean(latencies), 1),
    p50Ms: round(percentile(latencies, 50) || 0, 1),
    p95Ms: round(percentile(latencies, 95) || 0, 1),
    wallSeconds: round(arm.wallSeconds, 1),
    ...totals,
  };
}

function classShares(arm: Arm): Record<string, string> {
  const counts: Record<string, number> = {};
  for (const o of arm.outcomes) counts[o.sizeClass] = (counts[o.sizeClass] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort().map(([c, n]) => [c, share(n, arm.outcomes.length)]));
}

function picksByKind(arm: Arm): Record<string, string | number>[] {
  const kinds = [...new Set(arm.outcomes.map((o) => o.kind))];
  return kinds.map((kind) => {
    const mine = arm.outcomes.filter((o) => o.kind === kind);
    const byClass: Record<string, number> = {};
    const byModel: Record<string, number> = {};
    for (const o of mine) {
      byClass[o.sizeClass] = (byClass[o.sizeClass] ?? 0) + 1;
      const model = o.deployment.slice(o.deployment.indexOf('/') + 1);
      byModel[model] = (byModel[model] ?? 0) + 1;
    }
    const top = Object.entries(byModel).sort((a, b) => b[1] - a[1]).slice(0, 3);
    return {
      kind,
      requests: mine.length,
      classes: Object.entries(byClass).map(([c, n]) => `${c} ${n}`).join(', '),
      topModels: top.map(([m, n]) => `${m} ${n}`).join(', '),
      meanMs: round(mean(mine.filter((o) => o.status === 200).map((o) => o.ms)), 1),
    };
  });
}

async function main() {
  const workload = mixedWorkload(REQUESTS, SEED);
  console.log(`routing-mix: ${workload.length} requests, concurrency ${CONCURRENCY}, seed ${SEED}; auto vs ${BASELINE}`);
  const auto = await runArm('auto', workload);
  const fixed = await runArm(BASELINE, workload);
  const classes = classMap(defaultFleet());
  const summary = [summarize(auto, classes), summarize(fixed, classes)];
  printTable('Share of requests by model class (size from params; unknown = no published size)', [
    { model: 'auto', ...classShares(auto) },
    { model: BASELINE, ...classShares(fixed) },
  ]);
  printTable('Latency, tokens and quota (tokens from the fleet /_sim/stats; scarce = large + frontier models)', summary);
  const [a, f] = summary as [ReturnType<typeof summarize>, ReturnType<typeof summarize>];
  const ratios = {
    meanLatency: round(a.meanMs / Math.max(1e-9, f.meanMs), 3),
    p95Latency: round(a.p95Ms / Math.max(1e-9, f.p95Ms), 3),
    totalTokens: round(a.totalTokens / Math.max(1, f.totalTokens), 3),
    scarceTokens: round(a.scarceTokens / Math.max(1, f.scarceTokens), 3),
  };
  printTable(`auto / ${BASELINE} (same run)`, [ratios]);
  printTable('auto: where each kind of request went', picksByKind(auto));
  const file = writeResult('routing-mix', {
    requests: workload.length,
    concurrency: CONCURRENCY,
    seed: SEED,
    baseline: BASELINE,
    classShares: { auto: classShares(auto), [BASELINE]: classShares(fixed) },
    summary,
    ratios,
    autoByKind: picksByKind(auto),
  });
  console.log(`\nwrote ${file}`);
}

await main();
