/**
 * Hedged requests through the running gateway: with `resilience.hedging.enabled`, a first token
 * later than the deployment's p95 sends one hedge to another provider; the first to produce content
 * wins and the loser's reservation is refunded. Off by default.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { contentOf, orderedAlias, startFaultStack, streamChat, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function startPair(hedging: boolean): Promise<FaultStack> {
  return startFaultStack({
    fleet: [
      {
        id: 'alpha',
        models: [{ id: 'm', limits: [{ requests: 1000, per: 'day' }] }],
        faults: [{ kind: 'slow-first-token', delay: '700ms', at: [21] }],
      },
      { id: 'beta', models: ['m'] },
    ],
    overrides: {
      ...orderedAlias('pool', ['alpha/m', 'beta/m']),
      resilience: { hedging: { enabled: hedging }, firstTokenTimeoutMs: { min: 5_000, max: 10_000 } },
    },
  });
}

const ask = (s: FaultStack, n: number) =>
  streamChat(s.url, { model: 'pool', messages: [{ role: 'user', content: `question ${n}` }], max_tokens: 8 });

async function alphaRequestsLeft(s: FaultStack): Promise<number | undefined> {
  const state = (await (await fetch(`${s.url}/v1/freeway/state`)).json()) as {
    deployments: { id: string; limits: { scope: string; unit: string; remaining: number }[] }[];
  };
  return state.deployments.find((d) => d.id === 'alpha/m')?.limits.find((l) => l.scope === 'model' && l.unit === 'requests')?.remaining;
}

describe('hedging through the running gateway', () => {
  it('hedges a late first token to another provider; the first to answer wins and the loser is refunded', async () => {
    stack = await startPair(true);
    // Twenty answers give alpha a p95 of a few ms.
    for (let n = 1; n <= 20; n++) expect((await ask(stack, n)).headers.get('x-freeway-provider')).toBe('alpha');
    expect(await alphaRequestsLeft(stack)).toBe(980);
    const read = await ask(stack, 21);
    expect(read.headers.get('x-freeway-provider')).toBe('beta');
    expect(read.headers.get('x-freeway-attempts')).toBe('2');
    expect(read.sawDone).toBe(true);
    expect(contentOf(read.events).length).toBeGreaterThan(0);
    expect(await alphaRequestsLeft(stack)).toBe(980);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/freeway_retries_total\{provider="beta",reason="hedge"\} 1/);
  });

  it('does not hedge unless configured', async () => {
    stack = await startPair(false);
    for (let n = 1; n <= 20; n++) await ask(stack, n);
    const read = await ask(stack, 21);
    expect(read.headers.get('x-freeway-provider')).toBe('alpha');
    expect(read.headers.get('x-freeway-attempts')).toBe('1');
    expect(stack.callsAt('beta')).toBe(0);
  });
});
