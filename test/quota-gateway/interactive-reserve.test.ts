/**
 * Issue 12, point 3: while a batch runs (low priority lines), a share of each window stays free
 * for interactive requests. The fleet's stats referee what reached the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startQuotaStack, type QuotaStack } from './support.js';

describe('the interactive reserve', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      providers: [{ id: 'solo', dialect: 'openai', limits: [{ requests: 10, per: 'hour' }], models: [{ id: 's-model' }] }],
      overrides: { quota: { interactiveReserve: 0.3 } },
    });
  });
  afterAll(async () => stack?.close());

  it('leaves its share of a limit to normal and high priority while low priority fills the rest', async () => {
    // A minute's wait lets the last of a burst pass the delivery guard; the 8th would need an hour's refill.
    const low = await Promise.all(Array.from({ length: 10 }, () => chat(stack.url, { model: 's-model', priority: 'low', maxWaitMs: 60_000 })));
    expect(low.filter((a) => a.status === 200)).toHaveLength(7);
    expect(new Set(low.filter((a) => a.status !== 200).map((a) => a.body.error?.code))).toEqual(new Set(['quota_exhausted']));

    const interactive = await Promise.all([
      chat(stack.url, { model: 's-model', priority: 'normal', maxWaitMs: 0 }),
      chat(stack.url, { model: 's-model', priority: 'high', maxWaitMs: 0 }),
    ]);
    expect(interactive.map((a) => a.status)).toEqual([200, 200]);
    expect((await stack.stats()).providers['solo']).toMatchObject({ accepted: 9, rejected: 0 });
  });
});
