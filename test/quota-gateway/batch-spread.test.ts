/**
 * Issue 12: a batch only finishes near its lower bound if no limit sits full (its refill thrown
 * away) while lines go to the router's favourite. `low` priority tries nearly full deployments
 * first; interactive requests keep the router's order. The fleet's stats referee where each went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, eventually, startQuotaStack, type QuotaStack } from './support.js';

interface RouteVerdict {
  provider: string;
  rank?: number;
  score?: { headroom: number };
}

describe('batch lines on auto', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      providers: [
        // `auto` ranks the small model first for a short greeting: it fits the task.
        { id: 'near', dialect: 'openai', models: [{ id: 'small-model', params: 8, limits: [{ requests: 10, per: 'hour' }] }] },
        { id: 'far', dialect: 'openai', models: [{ id: 'huge-model', params: 400, limits: [{ requests: 10, per: 'hour' }] }] },
      ],
      overrides: { quota: { interactiveReserve: 0 } },
    });
  });
  afterAll(async () => stack?.close());

  const accepted = async (provider: string) => (await stack.stats()).providers[provider]?.accepted ?? 0;
  /** The route `auto` takes now, once the router's quota view shows `far` full and `near` partly spent. */
  const routeOnceSeen = () =>
    eventually(
      async () => (await (await fetch(`${stack.url}/v1/freeway/route`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello to the quota ledger' }], max_tokens: 40 }) })).json()) as { deployments: RouteVerdict[] },
      (route) => route.deployments.find((d) => d.provider === 'near')?.score?.headroom === 0.7,
      { what: 'the quota view to show near at 7/10 left' },
    );

  it('sends a low priority line to the full deployment the router ranks second, and an interactive request to the router first', async () => {
    for (let i = 0; i < 3; i += 1) expect((await chat(stack.url, { model: 'auto' })).status).toBe(200);
    expect(await accepted('near')).toBe(3);

    const route = await routeOnceSeen();
    expect(route.deployments.find((d) => d.provider === 'near')?.rank).toBe(1);
    expect(route.deployments.find((d) => d.provider === 'far')?.score?.headroom).toBe(1);

    expect((await chat(stack.url, { model: 'auto', priority: 'low' })).status).toBe(200);
    expect([await accepted('near'), await accepted('far')]).toEqual([3, 1]);

    expect((await chat(stack.url, { model: 'auto', priority: 'normal' })).status).toBe(200);
    expect([await accepted('near'), await accepted('far')]).toEqual([4, 1]);
  });
});
