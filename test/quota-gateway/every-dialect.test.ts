import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/core/deployment.js';
import { chat, startQuotaStack, state, type QuotaStack } from './support.js';

// One provider per dialect, each with a tight request limit, a token limit that binds on reservations,
// and a daily cap; each gets more requests at once than its minute allows, half of them streamed.
const REQUESTS_PER_PROVIDER = 9;
let stack: QuotaStack;

beforeAll(async () => {
  stack = await startQuotaStack({
    timeScale: 30,
    providers: dialects.map((dialect) => ({
      id: `p-${dialect}`,
      dialect,
      scope: 'organization',
      admission: dialect === 'openai' || dialect === 'cerebras' ? 'reserve' : 'usage',
      limits: [{ requests: 100, per: 'day' }],
      models: [
        {
          id: `m-${dialect}`,
          limits: [
            { requests: 4, per: 'minute' },
            { tokens: 500, per: 'minute' },
          ],
        },
      ],
    })),
  });
});
afterAll(async () => stack?.close());

describe('no request over a limit reaches a provider, for every dialect', () => {
  it('serves every request in time and the fleet refuses none', async () => {
    const answers = await Promise.all(
      dialects.flatMap((dialect) =>
        Array.from({ length: REQUESTS_PER_PROVIDER }, (_, i) =>
          chat(stack.url, { model: `m-${dialect}`, maxTokens: 60, stream: i % 2 === 1, maxWaitMs: 600_000 }).then((a) => ({ dialect, ...a })),
        ),
      ),
    );
    const failed = answers.filter((a) => a.status !== 200).map((a) => `${a.dialect}: ${a.status} ${JSON.stringify(a.body)}`);
    expect(failed).toEqual([]);

    const stats = await stack.stats();
    expect(stats.violations).toBe(0);
    for (const dialect of dialects) {
      const provider = stats.providers[`p-${dialect}`]!;
      expect({ dialect, rejected: provider.rejected, accepted: provider.accepted }).toEqual({ dialect, rejected: 0, accepted: REQUESTS_PER_PROVIDER });
    }
  });

  it('shows each scope with its limits, what is left and the next reset', async () => {
    const body = await state(stack.url);
    const quota = body['quota'] as { scopes: { scope: string; limits: { label: string; remaining: number; resetAt: string }[] }[] };
    const model = quota.scopes.find((s) => s.scope === 'p-groq:organization:m-groq');
    expect(model?.limits.map((l) => l.label)).toEqual(['4 requests/minute', '500 tokens/minute']);
    const day = quota.scopes.find((s) => s.scope === 'p-groq:organization')?.limits[0];
    expect(day).toMatchObject({ label: '100 requests/day', remaining: 100 - REQUESTS_PER_PROVIDER });
    expect(Date.parse(day!.resetAt)).toBe(Date.UTC(2026, 0, 15));
    expect(body['queue']).toEqual({ high: 0, normal: 0, low: 0 });
  });
});
