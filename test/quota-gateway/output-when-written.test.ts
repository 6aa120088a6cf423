/**
 * Usage-admitted providers (Groq's dialect) admit a call on its prompt and count the answer when it
 * is written. The ledger does the same: the output a call may write is held while it runs and
 * charged when it ends, so a long answer landing on the window never meets a ledger that believes
 * the window refilled meanwhile; a 429 on a refilling window parks only until the stated
 * Retry-After; and a request waiting for a large share of the window is not starved by small ones
 * arriving after it. Real HTTP against the simulated fleet, on a steerable clock: counts, not times.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startQuotaStack, state, type QuotaStack } from './support.js';

const START = Date.UTC(2026, 0, 14, 12);
let stack: QuotaStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

interface Ask {
  content: string;
  /** Absent: the client sets no max_tokens (the output budget decides). */
  maxTokens?: number;
  maxWaitMs: number;
}

async function ask(url: string, { content, maxTokens, maxWaitMs }: Ask): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-freeway-max-wait-ms': String(maxWaitMs) },
    body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content }], ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}) }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, ...(body.error?.code ? { code: body.error.code } : {}) };
}

const groq = (limit: { tokens: number; per: string }, tokensPerSecond: number) => ({
  id: 'tightco',
  dialect: 'groq',
  latency: { ttftMs: 0, tokensPerSecond, jitter: 0 },
  models: [{ id: 'small', maxOutputTokens: 8192, limits: [limit] }],
});

const s = () => stack as QuotaStack;
const fleetStats = async () => (await s().stats()).providers['tightco'];
const queued = async () => ((await state(s().url))['queue'] as Record<string, number>)['normal'];
const tokensLeft = async (): Promise<number> => {
  const quota = (await state(s().url))['quota'] as { scopes: { scope: string; limits: { unit: string; remaining: number }[] }[] };
  const limit = quota.scopes.flatMap((scope) => scope.limits).find((l) => l.unit === 'tokens');
  return limit?.remaining ?? Number.NaN;
};
/** About 3,000 tokens of prompt, counted at admission by the provider. */
const bigPrompt = `Summarize: ${'lighthouse keeper wrote a careful log '.repeat(330)}`;

describe('output counted when it is written (usage-admitted provider)', () => {
  it('charges a long answer when it ends, so the call after it waits instead of meeting an upstream 429', async () => {
    stack = await startQuotaStack({ start: START, providers: [groq({ tokens: 6000, per: 'minute' }, 100)] });
    // 4,000 tokens written over 40 fleet seconds: the provider counts them at the end.
    const long = ask(s().url, { content: 'Write a long story. sim:tokens=4000', maxTokens: 4500, maxWaitMs: 600_000 });
    await eventually(async () => (await fleetStats())?.accepted === 1, Boolean, { what: 'the long call admitted' });
    s().jumpTo(s().fleet.clock.now() + 41_000);
    expect((await long).status).toBe(200);
    // The window holds the 4,000 just counted, as the provider's does (not a window refilled since admission).
    expect(await tokensLeft()).toBeLessThanOrEqual(2000);

    const next = ask(s().url, { content: bigPrompt, maxTokens: 10, maxWaitMs: 600_000 });
    await eventually(async () => (await queued()) === 1, Boolean, { what: 'the big prompt waiting for its room' });
    s().jumpTo(s().fleet.clock.now() + 30_000);
    expect((await next).status).toBe(200);
    expect((await fleetStats())?.rejected).toBe(0);
  });

  it('after a 429 on a refilling window, parks until the stated Retry-After, not until the window is full', async () => {
    stack = await startQuotaStack({ start: START, providers: [groq({ tokens: 6000, per: 'minute' }, 1_000_000)] });
    // Another client of the same key spends the window behind the gateway's back.
    const provider = s().fleet.providers[0]!;
    const direct = await fetch(`${provider.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sim-tightco-key' },
      body: JSON.stringify({ model: 'small', max_tokens: 5950, messages: [{ role: 'user', content: 'Fill it. sim:tokens=5900' }] }),
    });
    expect(direct.status).toBe(200);

    // The provider refuses this one (its Retry-After: a few seconds; its reset-tokens: about a minute).
    const waiting = ask(s().url, { content: bigPrompt.slice(0, 1600), maxTokens: 10, maxWaitMs: 30_000 });
    await eventually(async () => (await fleetStats())?.rejected === 1, Boolean, { what: 'the upstream 429' });
    await eventually(async () => (await queued()) === 1, Boolean, { what: 'the request waiting out the parking' });
    s().jumpTo(s().fleet.clock.now() + 15_000);
    expect((await waiting).status).toBe(200);
    expect((await fleetStats())?.rejected).toBe(1);
  });

  it('serves a request waiting for a large share of the window before small ones that arrived after it', async () => {
    // 6,000 tokens an hour: nothing refills noticeably unless the test moves the clock.
    stack = await startQuotaStack({ start: START, providers: [groq({ tokens: 6000, per: 'hour' }, 1_000_000)] });
    expect((await ask(s().url, { content: 'Fill it. sim:tokens=5800', maxTokens: 5850, maxWaitMs: 0 })).status).toBe(200);
    const left = await tokensLeft();
    expect(left).toBeGreaterThan(100); // room for a short call, none for the long one

    // A long call that would rather fail than wait gives up at once, and holds nobody back after.
    expect(await ask(s().url, { content: 'Write a story. sim:tokens=1500', maxTokens: 2000, maxWaitMs: 1000 })).toEqual({ status: 429, code: 'quota_exhausted' });
    expect((await ask(s().url, { content: 'Classify: good or bad? sim:tokens=3', maxTokens: 10, maxWaitMs: 0 })).status).toBe(200);

    const long = ask(s().url, { content: 'Write a story. sim:tokens=1500', maxTokens: 2000, maxWaitMs: 7_200_000 });
    await eventually(async () => (await queued()) === 1, Boolean, { what: 'the long call waiting' });
    const shorts = [1, 2, 3].map((i) => ask(s().url, { content: `Classify #${i}: good or bad? sim:tokens=3`, maxTokens: 10, maxWaitMs: 7_200_000 }));
    // They would fit the room left now, but it is the long call's: they wait behind it.
    await eventually(async () => (await queued()) === 4, Boolean, { what: 'the short calls waiting behind the long one' });
    expect((await fleetStats())?.accepted).toBe(2);

    s().jumpTo(s().fleet.clock.now() + 25 * 60_000);
    expect((await long).status).toBe(200);
    expect((await Promise.all(shorts)).map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await fleetStats())?.rejected).toBe(0);
  });
});
