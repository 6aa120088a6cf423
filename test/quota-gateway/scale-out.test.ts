/**
 * Scale-out must not waste quota (issue 12): three gateways on one Redis, three providers with
 * per-minute limits, an open-loop load of 1.2× their pooled capacity spread over the gateways as a
 * load balancer would. The fleet's own stats referee what reached a provider; time is the fleet's
 * clock throughout (requests are scheduled and counted in fleet ms), so the ratio does not depend
 * on how fast this machine is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from '../quota/redis-test-support.js';
import { chat, startQuotaStack, type ChatAnswer, type ProviderInput, type QuotaStack } from './support.js';

const runs = isRedisUp || isRedisRequired;
const prefix = uniquePrefix('scale-out');

/** Per-minute limits, as in issue 12's report: requests bind, tokens are there to be read and kept. */
const PROVIDERS: ProviderInput[] = [
  { id: 'alpha', dialect: 'groq', scope: 'organization', models: [{ id: 'm', limits: [{ requests: 20, per: 'minute' }, { tokens: 6000, per: 'minute' }] }] },
  { id: 'beta', dialect: 'openai', limits: [{ requests: 30, per: 'minute' }, { tokens: 20_000, per: 'minute' }], models: [{ id: 'm' }] },
  { id: 'gamma', dialect: 'mistral', limits: [{ requests: 40, per: 'minute' }], models: [{ id: 'm' }] },
];
const REQUESTS_PER_MINUTE = 20 + 30 + 40;
const FLEET_MS = 120_000;
const MAX_TOKENS = 24;

interface LoadResult {
  answers: ChatAnswer[];
  /** Answers that ended within the load's window, in fleet time. */
  servedInWindow: number;
}

/** Requests the fleet could have served in the window: full buckets plus their refill. */
const capacity = REQUESTS_PER_MINUTE + (REQUESTS_PER_MINUTE * FLEET_MS) / 60_000;

/** Starts requests evenly over `FLEET_MS` of fleet time at `load` × capacity, rotating over the gateways. */
async function openLoad(stack: QuotaStack, load: number): Promise<LoadResult> {
  const clock = stack.fleet.clock;
  const count = Math.round(load * capacity);
  const start = clock.now();
  const end = start + FLEET_MS;
  let servedInWindow = 0;
  const pending: Promise<ChatAnswer>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * FLEET_MS) / count;
    if (due > clock.now()) await clock.sleep(due - clock.now());
    const gateway = stack.gateways[i % stack.gateways.length]!;
    pending.push(
      chat(gateway.url, { model: 'm', maxTokens: MAX_TOKENS }).then((answer) => {
        if (answer.status === 200 && clock.now() <= end) servedInWindow += 1;
        return answer;
      }),
    );
  }
  const answers = await Promise.all(pending);
  return { answers, servedInWindow };
}

describe.runIf(runs)('three gateways on one Redis at 1.2× pooled capacity', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      gateways: 3,
      timeScale: 6,
      providers: PROVIDERS,
      // Three gateways, the fleet and the load share one event loop here: give delivery more room.
      wallJitterMs: 100,
      overrides: { state: { redis: `redis://127.0.0.1:6379?keyPrefix=${encodeURIComponent(prefix)}` } },
    });
  });
  afterAll(async () => {
    await stack?.close();
    const admin = connect();
    await removePrefix(admin, prefix);
    admin.disconnect();
  });

  it('serve at least 0.95 of it, sharing one ledger', async () => {
    const result = await openLoad(stack, 1.2);
    const stats = await stack.stats();
    const upstream429s = Object.values(stats.providers).reduce((sum, p) => sum + p.rejected, 0);
    const codes = new Set(result.answers.filter((a) => a.status !== 200).map((a) => a.body.error?.code));
    console.log(`scale-out: served ${result.servedInWindow} of capacity ${capacity} in window (${(result.servedInWindow / capacity).toFixed(3)}), upstream 429s ${upstream429s}`);
    // A stray 429 from the request-only provider shows up now and then on a loaded machine, with one
    // gateway on Redis as with three (not with the memory store): counted, bounded, reported.
    expect(upstream429s).toBeLessThanOrEqual(2);
    expect(stats.violations).toBe(0);
    expect([...codes].every((code) => code === 'quota_exhausted')).toBe(true);
    expect(result.servedInWindow / capacity).toBeGreaterThanOrEqual(0.95);
  });
});

describe.skipIf(runs)('three gateways on one Redis at 1.2× pooled capacity', () => {
  it.skip('needs Redis at 127.0.0.1:6379 (set CI=true to make its absence a failure)', () => {});
});
