/**
 * `npm run bench:shaping` — output budgets on a token-bound fleet. Clients omit max_tokens; most ask
 * for a one-word label (classification), a few for a long essay (creative). Two arms, each on a fresh
 * time-scaled fleet and gateway, run the same seeded workload for the same fleet time:
 *   fixed     — shaping.outputBudget: fixed (the old rule: reserve 1,024 output tokens per request);
 *   predicted — shaping.outputBudget: predicted (p95 of observed lengths per model and task kind).
 * Reported per arm: short-answer and long-answer completions per token window (fleet minute),
 * goodput, upstream 429s (the fleet's own count), 429s/errors seen by clients, limit violations.
 * The fleet is usage-admitted (Groq's dialect): output counts when written. The gateway holds each
 * call's planned output until the call ends and charges what was written then, as the provider
 * does, so an over-reservation shows as requests waiting for quota they never use, and an
 * under-reservation as a window overdrawn when a long answer lands (upstream 429s if the ledger
 * ever counted less than the provider).
 *
 * The time scale stays low (6×) so that this shared machine's CPU, not the clock, never becomes the limit.
 *
 * Run: npx tsx bench/shaping.ts [--time-scale 6] [--fleet-minutes 4] [--concurrency 32] [--seed 5] [--long-share 0.01]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { startFreeway } from '../src/app/start-freeway.js';
import { fleetGatewayConfig, parseFleet, startFleet, type FleetStats } from '../src/simulator/index.js';
import { printTable, round, writeResult } from './support.js';

const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '6' },
    'fleet-minutes': { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '32' },
    seed: { type: 'string', default: '5' },
    'long-share': { type: 'string', default: '0.01' },
  },
});
const timeScale = Number(values['time-scale']);
const fleetMs = Number(values['fleet-minutes']) * 60_000;
const concurrency = Number(values.concurrency);
const seed = Number(values.seed);
const longShare = Number(values['long-share']);
const TOKENS_PER_MINUTE = 6_000;
const SHORT_TOKENS = 3;
const LONG_TOKENS = 1_500;
/** Each client waits at most this long (fleet ms) for quota, then counts a failure. */
const MAX_WAIT_FLEET_MS = 60_000;

const fleetYaml = `
name: token-bound
providers:
  - id: tightco
    dialect: groq
    models:
      - id: small-model
        upstreamId: small-model-v1
        contextWindow: 32768
        maxOutputTokens: 8192
        params: 8
        latency: { ttftMs: 4500, tokensPerSecond: 40, jitter: 0.1 }
        limits:
          - { tokens: ${TOKENS_PER_MINUTE}, per: minute }
`;

type Kind = 'short' | 'long';

function workload(count: number): { kind: Kind; body: Record<string, unknown> }[] {
  let state = seed >>> 0;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: count }, (_, i) => {
    if (random() < longShare) {
      return {
        kind: 'long' as const,
        // Long answers are streamed, as clients do: a non-streamed 40-second answer would meet the first-byte timeout.
        body: {
          model: 'small-model',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: `Write a long story about the lighthouse keeper number ${i}. sim:tokens=${LONG_TOKENS}` }],
        },
      };
    }
    return {
      kind: 'short' as const,
      body: {
        model: 'small-model',
        messages: [{ role: 'user', content: `Classify as positive or negative, one word: "cold soup, kind staff" #${i} sim:tokens=${SHORT_TOKENS}` }],
      },
    };
  });
}

interface Answer {
  complete: boolean;
  usage?: { completion_tokens?: number };
  error?: { code?: string };
}

/** A JSON answer, or an SSE stream that must end with [DONE] and carries usage in its last chunk. */
function parseAnswer(text: string, stream: boolean): Answer {
  if (!stream || !text.startsWith('data:')) {
    const body = JSON.parse(text) as Omit<Answer, 'complete'>;
    return { ...body, complete: body.error === undefined };
  }
  const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
  const complete = events.at(-1) === '[DONE]';
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as { usage?: { completion_tokens?: number }; error?: { code?: string } });
  const usage = chunks.findLast((c) => c.usage)?.usage;
  const error = chunks.find((c) => c.error)?.error;
  return { complete: complete && !error, ...(usage ? { usage } : {}), ...(error ? { error } : {}) };
}

interface ArmResult {
  mode: string;
  completed: Record<Kind, number>;
  failed: Record<Kind, number>;
  clientErrors: Record<string, number>;
  completionTokens: number;
  stats: FleetStats;
}

async function runArm(mode: 'fixed' | 'predicted'): Promise<ArmResult> {
  const fleet = await startFleet(parseFleet(fleetYaml, 'bench fleet'), { seed, timeScale });
  const config = parseConfig(
    JSON.stringify({
      ...fleetGatewayConfig(fleet),
      server: { port: 0 },
      cache: { mode: 'off', sqlitePath: null },
      routing: { predictorPath: null },
      shaping: { outputBudget: mode, statePath: null },
    }),
    { env: {}, fileName: 'bench config' },
  );
  const freeway = await startFreeway({ config, env: {}, clock: fleet.clock, quotaDeliveryGuardMs: 50 * timeScale });
  const requests = workload(100_000);
  const result: ArmResult = { mode, completed: { short: 0, long: 0 }, failed: { short: 0, long: 0 }, clientErrors: {}, completionTokens: 0, stats: fleet.stats() };
  const end = fleet.clock.now() + fleetMs;
  let next = 0;
  const worker = async () => {
    while (fleet.clock.now() < end && next < requests.length) {
      const request = requests[next++]!;
      const response = await fetch(`${freeway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-freeway-max-wait-ms': String(MAX_WAIT_FLEET_MS) },
        body: JSON.stringify(request.body),
      });
      const text = await response.text();
      const body = parseAnswer(text, request.body['stream'] === true);
      // Only answers finished inside the measured window count.
      if (fleet.clock.now() > end) break;
      if (response.status === 200 && body.complete) {
        result.completed[request.kind] += 1;
        result.completionTokens += body.usage?.completion_tokens ?? 0;
      } else {
        result.failed[request.kind] += 1;
        const code = body.error?.code ?? String(response.status);
        result.clientErrors[code] = (result.clientErrors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.stats = fleet.stats();
  await freeway.close();
  await fleet.close();
  return result;
}

const minutes = fleetMs / 60_000;
console.log(`shaping benchmark: ${minutes} fleet minutes per arm at time scale ${timeScale}, ${concurrency} clients, ${Math.round(longShare * 100)}% long answers, ${TOKENS_PER_MINUTE} tokens/minute`);
const arms = [await runArm('fixed'), await runArm('predicted')];
const rows = arms.map((arm) => {
  const provider = arm.stats.providers['tightco'];
  return {
    arm: arm.mode,
    'short ok / min': round(arm.completed.short / minutes, 1),
    'long ok / min': round(arm.completed.long / minutes, 1),
    'output tokens / min': Math.round(arm.completionTokens / minutes),
    'short failed': arm.failed.short,
    'long failed': arm.failed.long,
    'upstream 429s': provider?.rejected ?? 0,
    violations: arm.stats.violations,
  };
});
printTable('Output budgets: fixed 1,024 vs predicted (same workload, same fleet time)', rows);
const [fixed, predicted] = arms as [ArmResult, ArmResult];
const shortRatio = fixed.completed.short > 0 ? predicted.completed.short / fixed.completed.short : Infinity;
console.log(`short-answer requests per token window: predicted / fixed = ${round(shortRatio, 2)}×`);
const file = writeResult('shaping', {
  settings: { timeScale, fleetMinutes: minutes, concurrency, seed, longShare, tokensPerMinute: TOKENS_PER_MINUTE, shortTokens: SHORT_TOKENS, longTokens: LONG_TOKENS },
  arms: arms.map((arm) => ({ mode: arm.mode, completed: arm.completed, failed: arm.failed, clientErrors: arm.clientErrors, completionTokens: arm.completionTokens, upstream429: arm.stats.providers['tightco']?.rejected ?? 0, violations: arm.stats.violations })),
  shortRatio,
});
console.log(`wrote ${file}`);
