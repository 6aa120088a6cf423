// Shared pieces of the gateway cache tests: a one-provider fleet, gateways started on it (several may
// share one fleet, one SQLite file or one Redis), and plain HTTP helpers that read Freeway's headers.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config/index.js';
import { createGateway, type GatewayDeps } from '../../src/gateway/create-gateway.js';
import { createServer } from '../../src/server/create-server.js';
import { fleetGatewayConfig, parseFleet, startFleet, type RunningFleet } from '../../src/simulator/index.js';

export const CHAT_MODEL = 'cache-model';
export const EMBED_MODEL = 'embed-model';

/** One provider, one chat and one embedding model; `ttftMs` long enough for concurrent requests to overlap. */
export function fleetYaml(options: { ttftMs?: number; faults?: string } = {}): string {
  return `
providers:
  - id: sim
    dialect: openai
    keys: [sim-cache-key]
    latency: { ttftMs: ${options.ttftMs ?? 20}, tokensPerSecond: 5000, jitter: 0 }
    limits: [{ requests: 10000, per: minute }]
    models:
      - id: ${CHAT_MODEL}
        upstreamId: ${CHAT_MODEL}-v1
      - id: ${EMBED_MODEL}
        upstreamId: ${EMBED_MODEL}-v1
        kind: embedding
        maxOutputTokens: 1
    faults: ${options.faults ?? '[]'}
`;
}

export async function startTestFleet(options: { ttftMs?: number; faults?: string } = {}): Promise<RunningFleet> {
  return startFleet(parseFleet(fleetYaml(options), 'cache test fleet'), { seed: 11 });
}

export interface TestGateway {
  url: string;
  close(): Promise<void>;
}

/** A gateway (createGateway + the real server) on a loopback port; `cache` and other sections merged over the fleet's config. */
export async function startGateway(fleet: RunningFleet, overrides: Record<string, unknown> = {}, deps: GatewayDeps = {}): Promise<TestGateway> {
  const generated = fleetGatewayConfig(fleet) as Record<string, unknown>;
  const merged = { ...generated, ...overrides, server: { port: 0 }, cache: { sqlitePath: null, ...(overrides['cache'] as object) } };
  const config = parseConfig(JSON.stringify(merged), { env: {}, fileName: 'cache test config' });
  const gateway = await createGateway(config, { env: {}, ...deps });
  const server = createServer({ gateway });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}

/** Requests the fleet accepted, read over HTTP from its own /_sim/stats: the upstream calls really made. */
export async function upstreamCalls(fleet: RunningFleet): Promise<number> {
  const origin = new URL(fleet.providers[0]!.baseUrl).origin;
  const stats = (await (await fetch(`${origin}/_sim/stats`)).json()) as { providers: Record<string, { accepted: number }> };
  return Object.values(stats.providers).reduce((sum, p) => sum + p.accepted, 0);
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  cache: string | null;
}

export async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, body: json, cache: response.headers.get('x-freeway-cache') };
}

export const chat = (url: string, body: unknown, headers: Record<string, string> = {}) => post(url, '/v1/chat/completions', body, headers);
export const embed = (url: string, body: unknown, headers: Record<string, string> = {}) => post(url, '/v1/embeddings', body, headers);

export interface StreamAnswer {
  status: number;
  headers: Headers;
  cache: string | null;
  /** Every `data:` event but [DONE], parsed. */
  chunks: Array<Record<string, unknown>>;
  /** Whether the stream ended with `data: [DONE]`. */
  done: boolean;
  text: string;
}

export async function streamChat(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<StreamAnswer> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const raw = await response.text();
  const events = raw
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
  const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as Record<string, unknown>);
  const text = chunks.map((c) => (c['choices'] as Array<{ delta?: { content?: string } }> | undefined)?.[0]?.delta?.content ?? '').join('');
  return { status: response.status, headers: response.headers, cache: response.headers.get('x-freeway-cache'), chunks, done: events.at(-1) === '[DONE]', text };
}

/** A deterministic chat request (temperature 0), unique per call of `question` unless the same words are given. */
export const question = (words: string, extra: Record<string, unknown> = {}) => ({
  model: CHAT_MODEL,
  messages: [{ role: 'user', content: words }],
  temperature: 0,
  max_tokens: 24,
  ...extra,
});

/** Words no other test run uses, so entries from an earlier run (Redis) are never found. */
export const unique = (words: string) => `${words} ${randomUUID()}`;

/** For background work whose end the test cannot await: the one shared helper. */
export { eventually } from '../support/eventually.js';

/** The value of one sample of the gateway's /metrics, 0 when absent. */
export async function metric(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return 0;
}
