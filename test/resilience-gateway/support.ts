/**
 * A seeded simulated fleet with faults and a Freeway gateway in front of it, both on loopback, for
 * the resilience tests. Unlike test/support/start-stack.ts it lets a test edit the generated gateway
 * config (a wrong key, a model id the provider no longer serves, a window it claims but lacks),
 * read the gateway's log lines, and drive the gateway's time with a ManualClock.
 */
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config/index.js';
import type { Clock, ManualClock } from '../../src/core/clock.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import type { Gateway } from '../../src/gateway/types.js';
import { createServer } from '../../src/server/create-server.js';
import {
  fleetGatewayConfig,
  parseFleet,
  startFleet,
  type GatewayConfig,
  type ProviderStats,
  type RunningFleet,
} from '../../src/simulator/index.js';

export interface SimModelInput {
  id: string;
  upstreamId?: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  params?: number;
  latency?: { ttftMs?: number; tokensPerSecond?: number; jitter?: number };
  limits?: Record<string, unknown>[];
}

export interface SimProviderInput {
  id: string;
  dialect?: string;
  models: (string | SimModelInput)[];
  faults?: Record<string, unknown>[];
  latency?: { ttftMs?: number; tokensPerSecond?: number; jitter?: number };
  limits?: Record<string, unknown>[];
}

/** A fleet file (JSON is YAML) with quick, jitter-free providers unless a test says otherwise. */
export function fleetYaml(providers: SimProviderInput[]): string {
  return JSON.stringify({
    providers: providers.map((p) => ({ latency: { ttftMs: 5, tokensPerSecond: 2000, jitter: 0 }, ...p })),
  });
}

export interface FaultStack {
  url: string;
  fleet: RunningFleet;
  gateway: Gateway;
  /** Every line the gateway logged. */
  logs: string[];
  /** Requests that reached a provider's chat route (refused ones included), from the fleet's own stats. */
  callsAt(providerId: string): number;
  close(): Promise<void>;
}

export interface FaultStackOptions {
  fleet: SimProviderInput[];
  /** Edits the generated gateway config before it is parsed. */
  configure?: (config: GatewayConfig) => void;
  /** Merged over the generated config (resilience, routing…). */
  overrides?: Record<string, unknown>;
  /** Time for both the fleet and the gateway, so a ManualClock drives them together. */
  clock?: Clock;
  seed?: number;
  timeScale?: number;
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const fleet = await startFleet(parseFleet(fleetYaml(options.fleet), 'test fleet'), {
    seed: options.seed ?? 11,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
  });
  const generated = fleetGatewayConfig(fleet);
  options.configure?.(generated);
  const merged = { ...generated, ...options.overrides, cache: { mode: 'off', sqlitePath: null } };
  const config = parseConfig(JSON.stringify(merged), { env: {}, fileName: 'test config' });
  const logs: string[] = [];
  const gateway = await createGateway(config, {
    env: {},
    log: (line) => logs.push(line),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const secrets = config.providers.flatMap((p): string[] => p.apiKeys);
  const server = createServer({ gateway, secrets });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fleet,
    gateway,
    logs,
    callsAt: (providerId) => upstreamCalls(fleet.stats().providers[providerId]),
    close: async () => {
      await server.close();
      await gateway.close();
      await fleet.close();
    },
  };
}

function upstreamCalls(stats: ProviderStats | undefined): number {
  if (!stats) return 0;
  const refusedAtTheDoor = (stats.faults['outage'] ?? 0) + (stats.faults['busy'] ?? 0);
  return stats.accepted + stats.rejected + stats.invalid + stats.unauthorized + refusedAtTheDoor;
}

/** An alias that tries deployments in the given order, so a test knows who is asked first. */
export const orderedAlias = (name: string, targets: string[]) => ({
  routing: { aliases: { [name]: targets }, preferences: { [name]: 'order' } },
});

export interface SseRead {
  status: number;
  headers: Headers;
  /** Parsed `data:` events, [DONE] excluded. */
  events: Record<string, unknown>[];
  sawDone: boolean;
  text: string;
}

/** Reads a streamed completion with fetch, keeping what a client would see on the wire. */
export async function streamChat(url: string, body: Record<string, unknown>): Promise<SseRead> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await response.text();
  const events: Record<string, unknown>[] = [];
  let sawDone = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') sawDone = true;
    else events.push(JSON.parse(data) as Record<string, unknown>);
  }
  return { status: response.status, headers: response.headers, events, sawDone, text };
}

export const contentOf = (events: Record<string, unknown>[]): string =>
  events
    .map((e) => ((e['choices'] as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ?? ''))
    .join('');

/** Moves a ManualClock forward in small steps while real sockets work, until `promise` settles. */
export async function drive<T>(promise: Promise<T>, clock: ManualClock, stepMs = 50): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) await clock.advance(stepMs);
  return watched;
}
