/**
 * Limits enforced per scope, tokens reserved or counted afterwards, and the proof from stats that
 * nothing was ever served over a limit, even under a burst of concurrent requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chat, fleetFrom } from './sim-client.js';

let fleet: RunningFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const fleetYaml = (scope: string, dialect = 'groq', limits = '[{ requests: 3, per: minute }]') => `
providers:
  - id: p
    dialect: ${dialect}
    scope: ${scope}
    keys: [k1, k2]
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    models:
      - { id: m, maxOutputTokens: 400, limits: ${limits} }
`;

describe('limits', () => {
  it('never serves a request over a limit under a concurrent burst, and stats prove it', async () => {
    let clock;
    ({ fleet, clock } = await fleetFrom(
      fleetYaml(
        'organization',
        'groq',
        '[{ requests: 7, per: minute }, { requests: 20, per: day }, { tokens: 600, per: minute }]',
      ),
    ));
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      const burst = await Promise.all(
        Array.from({ length: 25 }, (_, i) => chat(fleet!, 0, { model: 'm', max_tokens: 20 }, i % 2 ? 'k1' : 'k2')),
      );
      statuses.push(...burst.map((r) => r.status));
      await clock.advance(30_000);
    }
    const stats = fleet.stats();
    const provider = stats.providers.p!;
    expect(provider.accepted).toBe(statuses.filter((s) => s === 200).length);
    expect(provider.rejected).toBe(statuses.filter((s) => s === 429).length);
    expect(provider.accepted).toBeLessThanOrEqual(20);
    expect(provider.rejectedByLimit['model:requests/minute']).toBeGreaterThan(0);
    expect(stats.violations).toBe(0);
    expect(stats.maxOverLimit).toBe(0);
  });

  it('scope key: each key has its own quota; organization: keys share one', async () => {
    ({ fleet } = await fleetFrom(fleetYaml('key')));
    const perKey = [];
    for (const key of ['k1', 'k1', 'k1', 'k1', 'k2']) perKey.push((await chat(fleet, 0, { model: 'm' }, key)).status);
    expect(perKey).toEqual([200, 200, 200, 429, 200]);
    await fleet.close();
    ({ fleet } = await fleetFrom(fleetYaml('organization')));
    const shared = [];
    for (const key of ['k1', 'k2', 'k1', 'k2']) shared.push((await chat(fleet, 0, { model: 'm' }, key)).status);
    expect(shared).toEqual([200, 200, 200, 429]);
  });

  it('cerebras reserves prompt + max_tokens at admission and refunds what was not generated', async () => {
    ({ fleet } = await fleetFrom(fleetYaml('organization', 'cerebras', '[{ tokens: 500, per: minute }]')));
    const body = { model: 'm', max_tokens: 300, messages: [{ role: 'user', content: 'sim:tokens=10 hello' }] };
    const first = await chat(fleet, 0, body);
    expect(first.status).toBe(200);
    // 500 - (prompt + 300) left at admission time, so a second reservation of the same size cannot fit.
    const prompt = (first.json as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
    expect(first.headers['x-ratelimit-remaining-tokens-minute']).toBe(String(500 - prompt - 300));
    const second = await chat(fleet, 0, body);
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-tokens-minute']).toBe(String(500 - 2 * prompt - 10 - 300));
    expect(fleet.stats().violations).toBe(0);
  });

  it('groq counts the prompt at admission and the real output afterwards', async () => {
    ({ fleet } = await fleetFrom(fleetYaml('organization', 'groq', '[{ tokens: 100, per: minute }]')));
    const body = { model: 'm', messages: [{ role: 'user', content: 'sim:tokens=95 hi' }] };
    const first = await chat(fleet, 0, body);
    expect(first.status).toBe(200);
    const second = await chat(fleet, 0, body);
    expect(second.status).toBe(429);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('refuses a request larger than the whole limit with a 413, not a 429', async () => {
    ({ fleet } = await fleetFrom(fleetYaml('organization', 'cerebras', '[{ tokens: 100, per: minute }]')));
    const response = await chat(fleet, 0, { model: 'm', max_tokens: 200 });
    expect(response.status).toBe(413);
    expect(fleet.stats().providers.p).toMatchObject({ rejected: 0, invalid: 1 });
  });

  it('POST /_sim/reset clears counters and quotas', async () => {
    ({ fleet } = await fleetFrom(fleetYaml('organization', 'groq', '[{ requests: 1, per: day }]')));
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(429);
    const origin = fleet.providers[0]!.baseUrl.replace(/\/v1$/, '');
    expect((await fetch(`${origin}/_sim/reset`, { method: 'POST' })).status).toBe(200);
    const stats = (await (await fetch(`${origin}/_sim/stats`)).json()) as {
      providers: Record<string, { accepted: number }>;
    };
    expect(stats.providers.p!.accepted).toBe(0);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
  });
});
