import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, eventually, metrics, startQuotaStack, state, type ChatAnswer, type QuotaStack } from './support.js';

// One provider with room for one request a minute: every further request waits for the next minute.
const START = Date.UTC(2026, 0, 14, 12);
let stack: QuotaStack;
const fleetNow = () => stack.fleet.clock.now();

beforeAll(async () => {
  stack = await startQuotaStack({
    start: START,
    providers: [{ id: 'solo', dialect: 'openai', limits: [{ requests: 1, per: 'minute' }, { tokens: 1000, per: 'minute' }], models: [{ id: 'tiny', maxOutputTokens: 4096 }] }],
  });
});
afterAll(async () => stack?.close());

const queueDepth = async () => (await state(stack.url))['queue'] as Record<string, number>;

describe('admission at the HTTP level', () => {
  it('answers its own 429 quota_exhausted, with a Retry-After that is the truth, when the wait exceeds the deadline', async () => {
    expect((await chat(stack.url, { model: 'tiny' })).status).toBe(200);
    const refused = await chat(stack.url, { model: 'tiny', maxWaitMs: 5000 });
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('quota_exhausted');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(58);
    expect(retryAfter).toBeLessThanOrEqual(61);
    expect(refused.headers.get('ratelimit')).toBe(`"quota";r=0;t=${retryAfter}`);
    expect(refused.headers.get('ratelimit-policy')).toBe('"quota";q=1;w=60;qu="requests"');

    // Two seconds before the stated time there is still no room; at the stated time there is.
    const refusedAt = fleetNow();
    stack.jumpTo(refusedAt + (retryAfter - 2) * 1000);
    expect((await chat(stack.url, { model: 'tiny', maxWaitMs: 0 })).status).toBe(429);
    stack.jumpTo(refusedAt + retryAfter * 1000);
    expect((await chat(stack.url, { model: 'tiny', maxWaitMs: 0 })).status).toBe(200);
    expect((await stack.stats()).providers['solo']?.rejected).toBe(0);
  });

  it('fails at once a request larger than any limit could ever hold, instead of waiting for its deadline', async () => {
    const answer = await chat(stack.url, { model: 'tiny', maxTokens: 2000, maxWaitMs: 600_000 });
    expect(answer.status).toBe(413);
    expect(answer.body.error?.code).toBe('request_too_large');
    expect(answer.body.error?.message).toContain('1000 tokens/minute');
  });

  it('serves waiting requests by priority, then in arrival order, as capacity returns', async () => {
    const order: string[] = [];
    const send = (label: string, priority: 'high' | 'normal' | 'low') =>
      chat(stack.url, { model: 'tiny', priority, maxWaitMs: 3_600_000 }).then((answer: ChatAnswer) => {
        order.push(label);
        return answer;
      });
    await chat(stack.url, { model: 'tiny', maxWaitMs: 0 }); // whatever this minute had left is gone now
    const low = send('low', 'low');
    await eventually(async () => (await queueDepth()).low === 1);
    const normal = send('normal', 'normal');
    const high = send('high', 'high');
    await eventually(async () => {
      const depth = await queueDepth();
      return depth.high === 1 && depth.normal === 1 && depth.low === 1;
    });
    const text = await metrics(stack.url);
    expect(text).toMatch(/freeway_queue_depth\{priority="low"\} 1/);
    expect(text).toMatch(/freeway_quota_limit\{bucket="solo:key1",unit="requests",window="minute",learned="false"\} 1/);
    expect(text).toMatch(/freeway_quota_reset_seconds\{bucket="solo:key1",unit="requests",window="minute"\} \d/);

    for (const expected of ['high', 'normal', 'low']) {
      stack.jumpTo(fleetNow() + 61_000);
      await eventually(async () => order.length === ['high', 'normal', 'low'].indexOf(expected) + 1);
    }
    expect(order).toEqual(['high', 'normal', 'low']);
    expect((await Promise.all([low, normal, high])).map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await stack.stats()).providers['solo']?.rejected).toBe(0);
  });
});
