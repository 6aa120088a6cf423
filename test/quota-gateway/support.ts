/**
 * A time-scaled simulated fleet and one or more Freeway gateways in front of it, all on one clock
 * (the fleet's, over a SteerableClock base so a test can jump to a calendar reset), for the quota
 * tests. Requests go over real HTTP with fetch so every status and header is what a client sees;
 * the fleet's own /_sim/stats is the referee of what reached a provider.
 */
import { parseConfig } from '../../src/config/index.js';
import { startFreeway, type RunningFreeway } from '../../src/app/start-freeway.js';
import { fleetGatewayConfig, parseFleet, startFleet, type FleetStats, type GatewayConfig, type RunningFleet } from '../../src/simulator/index.js';
import { SteerableClock } from '../support/steerable-clock.js';

export type LimitInput = { requests: number; per: string; resetTimeZone?: string } | { tokens: number; per: string; resetTimeZone?: string };

export interface ProviderInput {
  id: string;
  dialect: string;
  scope?: string;
  admission?: 'reserve' | 'usage';
  resetTimeZone?: string;
  limits?: LimitInput[];
  models: { id: string; upstreamId?: string; limits?: LimitInput[]; maxOutputTokens?: number; params?: number }[];
  faults?: Record<string, unknown>[];
  /** Answer speed in fleet time; quick and jitter-free when absent. */
  latency?: { ttftMs: number; tokensPerSecond: number; jitter: number };
}

export interface QuotaStack {
  fleet: RunningFleet;
  gateways: RunningFreeway[];
  /** The first gateway's URL. */
  url: string;
  clock: SteerableClock;
  logs: string[];
  stats(): Promise<FleetStats>;
  /** Moves fleet and gateway time to `fleetEpochMs` at once. */
  jumpTo(fleetEpochMs: number): void;
  close(): Promise<void>;
}

export interface QuotaStackOptions {
  providers: ProviderInput[];
  /** Fleet ms per wall ms. */
  timeScale?: number;
  /** Fleet time at start (epoch ms). */
  start?: number;
  gateways?: number;
  /** Edits the generated gateway config (hide limits so they must be learned). */
  configure?: (config: GatewayConfig) => void;
  overrides?: Record<string, unknown>;
  seed?: number;
  /** Wall ms a call may take from reservation to the fleet (default WALL_JITTER_MS): more for heavier loads. */
  wallJitterMs?: number;
}

/**
 * Wall ms a call may take from reservation to the fleet on a busy test machine. The gateway's guard is
 * in clock ms, so a time-scaled clock stretches it by the scale.
 */
const WALL_JITTER_MS = 50;

/** Quick, jitter-free answers; the tests are about quota, not latency. */
const LATENCY = { ttftMs: 20, tokensPerSecond: 4000, jitter: 0 };

export async function startQuotaStack(options: QuotaStackOptions): Promise<QuotaStack> {
  const clock = new SteerableClock(options.start ?? Date.UTC(2026, 0, 14, 12));
  const yaml = JSON.stringify({ providers: options.providers.map((p) => ({ latency: LATENCY, ...p })) });
  const timeScale = options.timeScale ?? 1;
  const fleet = await startFleet(parseFleet(yaml, 'quota test fleet'), { seed: options.seed ?? 5, clock, timeScale });
  const generated = fleetGatewayConfig(fleet);
  options.configure?.(generated);
  const merged = {
    ...generated,
    cache: { mode: 'off', sqlitePath: null },
    routing: { predictorPath: null },
    // Batches in memory: the default file under the working directory would carry batches between runs.
    batch: { sqlitePath: null },
    // Generous timeouts in fleet time: at a high time scale the defaults are a few wall milliseconds.
    resilience: { firstTokenTimeoutMs: { min: 600_000, max: 600_000 }, idleTimeoutMs: 600_000 },
    ...options.overrides,
  };
  const config = parseConfig(JSON.stringify(merged), { env: {}, fileName: 'quota test config' });
  const logs: string[] = [];
  const gateways: RunningFreeway[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    gateways.push(await startFreeway({ config: { ...config, server: { ...config.server, port: 0 } }, env: {}, clock: fleet.clock, quotaDeliveryGuardMs: (options.wallJitterMs ?? WALL_JITTER_MS) * timeScale, log: (line) => logs.push(line) }));
  }
  const statsUrl = `${fleet.providers[0]!.baseUrl.replace(/\/v1$/, '')}/_sim/stats`;
  return {
    fleet,
    gateways,
    url: gateways[0]!.url,
    clock,
    logs,
    stats: async () => (await (await fetch(statsUrl)).json()) as FleetStats,
    jumpTo: (fleetEpochMs) => clock.jump(Math.max(0, (fleetEpochMs - fleet.clock.now()) / timeScale)),
    close: async () => {
      for (const gateway of gateways) await gateway.close();
      await fleet.close();
    },
  };
}

export interface ChatAnswer {
  status: number;
  headers: Headers;
  body: { error?: { code?: string; message?: string }; model?: string; choices?: unknown[] } & Record<string, unknown>;
  /** For streams: the data lines' text, concatenated. */
  text?: string;
}

export interface ChatOptions {
  model: string;
  maxTokens?: number;
  stream?: boolean;
  priority?: 'high' | 'normal' | 'low';
  /** Fleet ms the request may wait for quota. */
  maxWaitMs?: number;
  prompt?: string;
}

export async function chat(url: string, options: ChatOptions): Promise<ChatAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.priority) headers['x-freeway-priority'] = options.priority;
  if (options.maxWaitMs !== undefined) headers['x-freeway-max-wait-ms'] = String(options.maxWaitMs);
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: options.model,
      messages: [{ role: 'user', content: options.prompt ?? 'Say hello to the quota ledger' }],
      max_tokens: options.maxTokens ?? 40,
      ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
  if (options.stream && response.status === 200) {
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: {}, text };
  }
  return { status: response.status, headers: response.headers, body: (await response.json()) as ChatAnswer['body'] };
}

export async function state(url: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${url}/v1/freeway/state`)).json()) as Record<string, unknown>;
}

export async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** For queue depth before a jump, and other background work: the one shared helper. */
export { eventually } from '../support/eventually.js';
