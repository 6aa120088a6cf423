/**
 * Test helpers: start a fleet from YAML on loopback ports with a ManualClock, and call it over real HTTP.
 */
import { ManualClock } from '../../src/core/clock.js';
import { eventually } from '../support/eventually.js';
import { parseFleet, startFleet, type RunningFleet, type StartFleetOptions } from '../../src/simulator/index.js';

export interface SimResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export async function fleetFrom(
  yaml: string,
  options: StartFleetOptions = {},
): Promise<{ fleet: RunningFleet; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const fleet = await startFleet(parseFleet(yaml, 'test fleet'), { clock, seed: 1, ...options });
  return { fleet, clock };
}

export async function call(baseUrl: string, path: string, body: unknown, key?: string): Promise<SimResult> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), text, json };
}

export function chat(
  fleet: RunningFleet,
  index: number,
  body: Record<string, unknown>,
  key?: string,
): Promise<SimResult> {
  const provider = fleet.providers[index];
  if (!provider) throw new Error(`no provider ${index}`);
  return call(
    provider.baseUrl,
    '/chat/completions',
    { messages: [{ role: 'user', content: 'Hello there' }], ...body },
    key ?? provider.apiKeys[0],
  );
}

/** Parses an SSE body into its data payloads ('[DONE]' kept as a string). */
export function sseEvents(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => {
      const data = block.slice(6);
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

/** A one-provider fleet in `dialect` with small limits: 2 requests/minute, 5/day, 1000 tokens/minute on the model. */
export function dialectFleet(dialect: string, extra = ''): string {
  return `
providers:
  - id: p-${dialect}
    dialect: ${dialect}
    scope: organization
    keys: [k1, k2]
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    ${extra}
    models:
      - id: m1
        upstreamId: up-m1
        maxOutputTokens: 100
        limits:
          - { requests: 2, per: minute }
          - { requests: 5, per: day }
          - { tokens: 1000, per: minute }
`;
}

/** Waits until the fleet has admitted `count` requests at provider `id` (its stats, no HTTP). */
export async function untilAccepted(fleet: RunningFleet, id: string, count: number): Promise<void> {
  await eventually(() => fleet.stats().providers[id]?.accepted ?? 0, (accepted) => accepted >= count, { intervalMs: 1, what: `${count} accepted at ${id}` });
}
