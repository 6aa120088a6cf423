/**
 * Circuit breakers per deployment through the running gateway: failures open one, an open breaker
 * takes its deployment out of routing, its state shows in /v1/freeway/state and /metrics, and after
 * the wait one half-open probe decides whether it closes. Fake time (one ManualClock for the fleet
 * and the gateway) stands in for the wait.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { drive, orderedAlias, startFaultStack, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const instant = { ttftMs: 0, tokensPerSecond: 0, jitter: 0 };
const resilience = {
  firstTokenTimeoutMs: { min: 3_600_000, max: 3_600_000 },
  idleTimeoutMs: 3_600_000,
  totalTimeoutMs: 3_600_000,
  breaker: { failureThreshold: 3, halfOpenAfterMs: 30_000 },
};

async function startPair(clock: ManualClock, outageAt: number[]): Promise<FaultStack> {
  return startFaultStack({
    clock,
    fleet: [
      { id: 'alpha', models: ['m'], latency: instant, faults: [{ kind: 'outage', at: outageAt }] },
      { id: 'beta', models: ['m'], latency: instant },
    ],
    overrides: { ...orderedAlias('pool', ['alpha/m', 'beta/m']), resilience },
  });
}

const ask = (s: FaultStack, clock: ManualClock, n: number) =>
  drive(
    new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 }).chat.completions
      .create({ model: 'pool', messages: [{ role: 'user', content: `question ${n}` }], max_tokens: 8 })
      .withResponse(),
    clock,
    10,
  );

async function breakerOf(s: FaultStack, id: string): Promise<{ breaker: string; lastFailure: { code: string } | null }> {
  const state = (await (await fetch(`${s.url}/v1/freeway/state`)).json()) as {
    deployments: { id: string; breaker: string; lastFailure: { code: string } | null }[];
  };
  const found = state.deployments.find((d) => d.id === id);
  if (!found) throw new Error(`no deployment ${id} in state`);
  return found;
}

describe('circuit breakers through the running gateway', () => {
  it('opens after consecutive failures and takes the deployment out of routing', async () => {
    const clock = new ManualClock();
    stack = await startPair(clock, [1, 2, 3]);
    for (let n = 1; n <= 3; n++) {
      const { response } = await ask(stack, clock, n);
      expect(response.headers.get('x-freeway-attempts')).toBe('2');
    }
    const { response } = await ask(stack, clock, 4);
    expect(response.headers.get('x-freeway-provider')).toBe('beta');
    expect(response.headers.get('x-freeway-attempts')).toBe('1');
    expect(stack.callsAt('alpha')).toBe(3);
  });

  it('shows breaker state in /v1/freeway/state and /metrics', async () => {
    const clock = new ManualClock();
    stack = await startPair(clock, [1, 2, 3]);
    for (let n = 1; n <= 3; n++) await ask(stack, clock, n);
    expect(await breakerOf(stack, 'alpha/m')).toMatchObject({ breaker: 'open', lastFailure: { code: 'upstream_overloaded' } });
    expect((await breakerOf(stack, 'beta/m')).breaker).toBe('closed');
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toContain('freeway_breaker_state{deployment="alpha/m"} 2');
    expect(metrics).toContain('freeway_breaker_state{deployment="beta/m"} 0');
  });

  it('lets one half-open probe through after the wait, and closes when it succeeds', async () => {
    const clock = new ManualClock();
    stack = await startPair(clock, [1, 2, 3]);
    for (let n = 1; n <= 3; n++) await ask(stack, clock, n);
    await clock.advance(30_000);
    expect((await breakerOf(stack, 'alpha/m')).breaker).toBe('half-open');
    const { response } = await ask(stack, clock, 4);
    expect(response.headers.get('x-freeway-provider')).toBe('alpha');
    expect(response.headers.get('x-freeway-attempts')).toBe('1');
    expect((await breakerOf(stack, 'alpha/m')).breaker).toBe('closed');
  });

  it('opens again for longer when the probe fails', async () => {
    const clock = new ManualClock();
    stack = await startPair(clock, [1, 2, 3, 4]);
    for (let n = 1; n <= 3; n++) await ask(stack, clock, n);
    await clock.advance(30_000);
    const probe = await ask(stack, clock, 4);
    expect(probe.response.headers.get('x-freeway-provider')).toBe('beta');
    expect(probe.response.headers.get('x-freeway-attempts')).toBe('2');
    expect((await breakerOf(stack, 'alpha/m')).breaker).toBe('open');
    expect(stack.callsAt('alpha')).toBe(4);
    // The second wait is twice the first: after another 30 s it is still open.
    await clock.advance(30_000);
    expect((await breakerOf(stack, 'alpha/m')).breaker).toBe('open');
    await clock.advance(30_000);
    expect((await breakerOf(stack, 'alpha/m')).breaker).toBe('half-open');
  });
});
