import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeriesRing } from '../../src/dashboard/time-series.js';
import { startStack, type Stack } from '../support/start-stack.js';

const tally = (outcomes: Record<string, number>, latencies: Record<string, number[]> = {}) => ({
  outcomes,
  latencies,
  cacheHits: outcomes['cache_hit'] ?? 0,
  answered: (outcomes['ok'] ?? 0) + (outcomes['cache_hit'] ?? 0),
});
const metrics = (calls: number, refused: number, saved: number) =>
  [
    '# HELP freeway_upstream_calls_total Calls made to providers',
    `freeway_upstream_calls_total{provider="groq",model="m",outcome="ok"} ${calls - refused}`,
    `freeway_upstream_calls_total{provider="groq",model="m",outcome="upstream_rate_limited"} ${refused}`,
    `freeway_cache_upstream_calls_saved_total{reason="hit"} ${saved}`,
  ].join('\n');

describe('the series ring', () => {
  it('turns counters into per-second deltas, groups outcomes and keeps 15 minutes at most', () => {
    const ring = new SeriesRing(3);
    const first = ring.add(100, tally({ ok: 3, cache_hit: 1, quota_exhausted: 2, model_not_found: 1 }, { groq: [10, 20, 30, 40] }), metrics(4, 1, 1), { high: 1 });
    expect(first).toMatchObject({
      requests: { ok: 3, cache_hit: 1, quota_exhausted: 2, failed: 1 },
      upstreamCalls: 4,
      upstream429: 1,
      quotaExhausted: 2,
      cacheHitRatio: 0.25,
      upstreamCallsSaved: 1,
      queue: { high: 1, normal: 0, low: 0 },
      latency: { groq: { p50: 20, p95: 40 } },
    });
    const second = ring.add(101, tally({}), metrics(10, 1, 3), {});
    expect(second).toMatchObject({ upstreamCalls: 6, upstream429: 0, upstreamCallsSaved: 2, cacheHitRatio: null, latency: { groq: { p50: 20 } } });
    ring.add(102, tally({}), metrics(10, 1, 3), {});
    ring.add(103, tally({}), metrics(10, 1, 3), {});
    expect(ring.all().map((p) => p.t)).toEqual([101, 102, 103]);
    // Five seconds after the last point (sampled less often while nobody watches): per-second averages.
    expect(ring.add(108, tally({ ok: 10 }), metrics(20, 6, 3), {})).toMatchObject({ requests: { ok: 2 }, upstreamCalls: 2, upstream429: 1 });
  });
});

describe('dashboard routes with server.apiKeys', () => {
  const key = 'sk-feed-test-key-0123456789';
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ overrides: { server: { apiKeys: [key] } } });
  });
  afterAll(async () => stack?.close());

  it('serves the page and assets openly, and the data only to a signed-in session or a Bearer key', async () => {
    const { url } = stack.freeway;
    expect((await fetch(`${url}/ui`)).status).toBe(200);
    expect((await fetch(`${url}/ui/assets/uPlot.js`)).status).toBe(200);
    expect((await fetch(`${url}/ui/assets/..%2Fpackage.json`)).status).toBe(404);
    expect(await (await fetch(`${url}/ui/session`)).json()).toEqual({ keyRequired: true, signedIn: false });
    expect((await fetch(`${url}/ui/events`)).status).toBe(401);
    expect((await fetch(`${url}/ui/session`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401);

    const signIn = await fetch(`${url}/ui/session`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(signIn.status).toBe(204);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^freeway_ui=[\w-]{40,}$/);
    expect(signIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(cookie).not.toContain(key);

    const controller = new AbortController();
    const events = await fetch(`${url}/ui/events`, { headers: { cookie }, signal: controller.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const reader = events.body!.getReader();
    let text = '';
    while (!text.includes('event: history')) text += new TextDecoder().decode((await reader.read()).value as Uint8Array);
    controller.abort();

    // /v1/freeway/state carries the recent requests, and still needs the key.
    expect((await fetch(`${url}/v1/freeway/state`)).status).toBe(401);
    const answer = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': 'feed-test-1' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBe(200);
    const state = (await (await fetch(`${url}/v1/freeway/state`, { headers: { authorization: `Bearer ${key}` } })).json()) as { recentRequests: { id: string; outcome: string }[] };
    expect(state.recentRequests[0]).toMatchObject({ id: 'feed-test-1', outcome: 'ok' });
    const explained = await (await fetch(`${url}/ui/requests/feed-test-1`, { headers: { cookie } })).json();
    expect(explained).toMatchObject({ request: { id: 'feed-test-1' }, explanation: { object: 'freeway.route' } });
  });
});
