/**
 * First-token timeouts through the running gateway: a provider that stalls before its first token
 * is abandoned after the timeout and the request fails over; the timeout follows each deployment's
 * observed latency (p99 × 2), kept within the configured bounds.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { orderedAlias, startFaultStack, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ask = (s: FaultStack, n: number) =>
  new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 }).chat.completions
    .create({ model: 'pool', messages: [{ role: 'user', content: `question ${n}` }], max_tokens: 8 })
    .withResponse();

async function timeoutOf(s: FaultStack, id: string): Promise<number | null> {
  const state = (await (await fetch(`${s.url}/v1/freeway/state`)).json()) as {
    deployments: { id: string; firstTokenTimeoutMs: number | null }[];
  };
  return state.deployments.find((d) => d.id === id)?.firstTokenTimeoutMs ?? null;
}

describe('first-token timeouts through the running gateway', () => {
  it('abandons a provider that stalls before its first token and fails over', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'], faults: [{ kind: 'stall', every: 1 }] },
        { id: 'beta', models: ['m'] },
      ],
      overrides: { ...orderedAlias('pool', ['alpha/m', 'beta/m']), resilience: { firstTokenTimeoutMs: { min: 200, max: 400 } } },
    });
    const { response } = await ask(stack, 1);
    expect(response.headers.get('x-freeway-provider')).toBe('beta');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(stack.fleet.stats().providers['alpha']?.faults['stall']).toBe(1);
  });

  it("adapts the timeout to the deployment's observed latency, within bounds, and cuts a slow first token", async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'], faults: [{ kind: 'slow-first-token', delay: '1500ms', at: [21] }] },
        { id: 'beta', models: ['m'] },
      ],
      overrides: { ...orderedAlias('pool', ['alpha/m', 'beta/m']), resilience: { firstTokenTimeoutMs: { min: 100, max: 4_000 } } },
    });
    // Until 20 answers have been seen, the default (half the upper bound) applies: 1.5 s would be waited for.
    expect(await timeoutOf(stack, 'alpha/m')).toBe(2_000);
    for (let n = 1; n <= 20; n++) await ask(stack, n);
    // p99 × 2 of answers that took a few ms: far below the default, and never below the lower bound.
    const learned = await timeoutOf(stack, 'alpha/m');
    expect(learned).toBeGreaterThanOrEqual(100);
    expect(learned).toBeLessThan(1_500);
    const { response } = await ask(stack, 21);
    expect(response.headers.get('x-freeway-provider')).toBe('beta');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(await timeoutOf(stack, 'beta/m')).toBe(2_000);
  });
});
