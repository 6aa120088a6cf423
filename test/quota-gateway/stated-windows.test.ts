/**
 * Issue 11, defect 4: a provider's stated reset is the truth about when capacity returns. Groq's
 * dialect assumes its -requests headers count a day and its -tokens headers a minute; this
 * provider's limits have 10 s windows (as its resets say), and the operator configured them so.
 * The gateway must keep the configured 10 s limits, not add learned day/minute ones that throttle
 * it to a fraction of what the provider gives. Time is the fleet's clock; the fleet referees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startQuotaStack, state, type QuotaStack } from './support.js';

const WINDOW_MS = 10_000;
const REQUESTS = 5;

describe('limits whose windows the dialect assumes wrongly', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      timeScale: 10,
      providers: [
        { id: 'tenner', dialect: 'groq', scope: 'organization', models: [{ id: 't-model', limits: [{ requests: REQUESTS, per: '10s' }, { tokens: 3000, per: '10s' }] }] },
      ],
    });
  });
  afterAll(async () => stack?.close());

  it('serve at least 0.9 of the capacity the provider states, without a 429', async () => {
    const count = 30;
    const started = stack.fleet.clock.now();
    const answers = await Promise.all(Array.from({ length: count }, () => chat(stack.url, { model: 't-model', maxTokens: 24, maxWaitMs: 600_000 })));
    const elapsed = stack.fleet.clock.now() - started;
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: count }, () => 200));
    // A full bucket at the start, then the refill over the time it took.
    const capacity = REQUESTS + (REQUESTS * elapsed) / WINDOW_MS;
    expect(count / capacity).toBeGreaterThanOrEqual(0.9);
    expect((await stack.stats()).providers['tenner']).toMatchObject({ accepted: count, rejected: 0 });

    // The headers updated the configured limits; nothing was learned beside them.
    const quota = (await state(stack.url))['quota'] as { scopes: { scope: string; limits: { label: string; learned: boolean }[] }[] };
    const limits = quota.scopes.flatMap((scope) => scope.limits);
    expect(limits.filter((limit) => limit.learned)).toEqual([]);
    expect(limits.map((limit) => limit.label).sort()).toEqual(['3000 tokens/10000ms', '5 requests/10000ms']);
  });
});
