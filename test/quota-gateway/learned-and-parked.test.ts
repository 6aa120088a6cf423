import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/simulator/index.js';
import { chat, startQuotaStack, state, type QuotaStack } from './support.js';

// 23:50 in Los Angeles: Gemini's daily quota comes back at 08:00 UTC, ten minutes from now.
const START = Date.UTC(2026, 0, 14, 7, 50);
const PACIFIC_MIDNIGHT = Date.UTC(2026, 0, 14, 8);

interface QuotaState {
  scopes: { scope: string; limits: { label: string; remaining: number; learned: boolean }[]; parked: { until: string; reason: string } | null }[];
}
const quotaOf = async (stack: QuotaStack) => (await state(stack.url))['quota'] as QuotaState;

/** The gateway is told nothing about these providers' limits: it must learn them. */
const hideLimits = (ids: string[]) => (config: GatewayConfig) => {
  for (const provider of config.providers) {
    if (!ids.includes(provider.id)) continue;
    delete provider.limits;
    for (const model of provider.models) delete model.limits;
  }
};

describe('limits the config does not declare', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      start: START,
      timeScale: 30,
      providers: [
        { id: 'ietf', dialect: 'ietf', models: [{ id: 'i-model', limits: [{ requests: 3, per: 'minute' }] }] },
        { id: 'groq', dialect: 'groq', scope: 'organization', models: [{ id: 'q-model', limits: [{ requests: 4, per: 'day' }, { tokens: 100_000, per: 'minute' }] }] },
      ],
      configure: hideLimits(['ietf', 'groq']),
    });
  });
  afterAll(async () => stack?.close());

  it('learns them from the first answer’s headers, then never sends a request over them', async () => {
    expect((await chat(stack.url, { model: 'i-model' })).status).toBe(200);
    const learned = (await quotaOf(stack)).scopes.find((s) => s.scope === 'ietf:key1:i-model')?.limits;
    expect(learned).toEqual([expect.objectContaining({ label: '3 requests/minute', remaining: 2, learned: true })]);

    const answers = await Promise.all(Array.from({ length: 6 }, () => chat(stack.url, { model: 'i-model', maxWaitMs: 600_000 })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect((await stack.stats()).providers['ietf']).toMatchObject({ accepted: 7, rejected: 0 });
  });

  it('learns a daily request quota (Groq’s -requests headers) and answers its own 429 when it is spent', async () => {
    expect((await chat(stack.url, { model: 'q-model' })).status).toBe(200);
    const learned = (await quotaOf(stack)).scopes.find((s) => s.scope === 'groq:organization:q-model')?.limits;
    expect(learned).toContainEqual(expect.objectContaining({ label: '4 requests/day', remaining: 3, learned: true }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => chat(stack.url, { model: 'q-model', maxWaitMs: 5000 })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 429, 429]);
    expect(answers.filter((a) => a.status === 429).map((a) => a.body.error?.code)).toEqual(['quota_exhausted', 'quota_exhausted']);
    expect((await stack.stats()).providers['groq']).toMatchObject({ accepted: 4, rejected: 0 });
  });
});

describe('daily exhaustion', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      start: START,
      providers: [
        { id: 'gemini', dialect: 'gemini', scope: 'project', resetTimeZone: 'America/Los_Angeles', models: [{ id: 'g-model', limits: [{ requests: 2, per: 'day' }] }] },
        { id: 'declared', dialect: 'gemini', scope: 'project', resetTimeZone: 'America/Los_Angeles', models: [{ id: 'd-model', limits: [{ requests: 2, per: 'day' }] }] },
        { id: 'backup', dialect: 'openai', models: [{ id: 'g-model' }] },
      ],
      configure: hideLimits(['gemini']),
    });
  });
  afterAll(async () => stack?.close());

  it('re-routes the request an undeclared daily quota refused, and parks the scope until midnight Pacific', async () => {
    for (let i = 0; i < 2; i++) expect((await chat(stack.url, { model: 'gemini/g-model' })).status).toBe(200);
    // Gemini says nothing until it refuses: the discovery costs one upstream 429, never the client's request.
    const rerouted = await chat(stack.url, { model: 'g-model', maxWaitMs: 0 });
    expect(rerouted.status).toBe(200);
    expect(rerouted.headers.get('x-freeway-provider')).toBe('backup');
    expect((await stack.stats()).providers['gemini']).toMatchObject({ accepted: 2, rejected: 1 });

    const quota = await quotaOf(stack);
    expect(quota.scopes.find((s) => s.scope === 'gemini:project:g-model')?.parked).toMatchObject({ until: new Date(PACIFIC_MIDNIGHT).toISOString() });
    const pinned = await chat(stack.url, { model: 'gemini/g-model', maxWaitMs: 0 });
    expect(pinned.status).toBe(429);
    expect(pinned.body.error?.code).toBe('quota_exhausted');
    const secondsToMidnight = (PACIFIC_MIDNIGHT - stack.fleet.clock.now()) / 1000;
    expect(Math.abs(Number(pinned.headers.get('retry-after')) - secondsToMidnight)).toBeLessThanOrEqual(2);
    expect((await stack.stats()).providers['gemini']?.rejected).toBe(1);

    stack.jumpTo(PACIFIC_MIDNIGHT + 1000);
    expect((await chat(stack.url, { model: 'gemini/g-model', maxWaitMs: 0 })).status).toBe(200);
    expect((await stack.stats()).providers['gemini']).toMatchObject({ accepted: 3, rejected: 1 });
  });

  it('holds a declared daily quota until its calendar reset without a single upstream 429', async () => {
    // The clock is past the reset now: a fresh day.
    for (let i = 0; i < 2; i++) expect((await chat(stack.url, { model: 'declared/d-model' })).status).toBe(200);
    const refused = await chat(stack.url, { model: 'declared/d-model', maxWaitMs: 60_000 });
    expect(refused.status).toBe(429);
    const nextMidnight = PACIFIC_MIDNIGHT + 24 * 3_600_000;
    expect(Math.abs(Number(refused.headers.get('retry-after')) - (nextMidnight - stack.fleet.clock.now()) / 1000)).toBeLessThanOrEqual(2);
    expect((await stack.stats()).providers['declared']).toMatchObject({ accepted: 2, rejected: 0 });
  });
});
