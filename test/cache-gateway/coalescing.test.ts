// Single-flight at the HTTP level: identical requests in flight together cost one upstream call,
// as the simulator counts it, for JSON answers and for streams fanned out to every client.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chat, eventually, metric, question, startGateway, startTestFleet, streamChat, upstreamCalls, type TestGateway } from './support.js';

const CLIENTS = 20;

describe('request coalescing', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  beforeAll(async () => {
    // A slow first token keeps the first call in flight while the other 19 arrive.
    fleet = await startTestFleet({ ttftMs: 800 });
    gateway = await startGateway(fleet);
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('20 identical JSON requests at once make one upstream call and get the same answer', async () => {
    const before = await upstreamCalls(fleet);
    const answers = await Promise.all(Array.from({ length: CLIENTS }, () => chat(gateway.url, question('All together now'))));
    expect(await upstreamCalls(fleet)).toBe(before + 1);
    expect(answers.every((a) => a.status === 200 && a.cache === 'miss')).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers.every((a) => a.headers.get('x-freeway-provider') === 'sim')).toBe(true);
    // One client made the call; the others made none of their own.
    expect(answers.map((a) => a.headers.get('x-freeway-attempts')).sort()).toEqual(['1', ...Array<string>(CLIENTS - 1).fill('0')].sort());
    expect(await metric(gateway.url, 'freeway_cache_upstream_calls_saved_total', { reason: 'coalesced' })).toBe(CLIENTS - 1);
  });

  it('20 identical streams at once share one upstream stream, each a complete SSE answer', async () => {
    const before = await upstreamCalls(fleet);
    const streams = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => streamChat(gateway.url, question('Stream together', { stream_options: { include_usage: i % 2 === 0 } }))),
    );
    expect(await upstreamCalls(fleet)).toBe(before + 1);
    expect(streams.every((s) => s.status === 200 && s.done)).toBe(true);
    expect(new Set(streams.map((s) => s.text)).size).toBe(1);
    expect(streams[0]!.text.length).toBeGreaterThan(0);
    // Usage only for the clients that asked for it, although they shared one upstream stream.
    const hasUsage = (s: (typeof streams)[number]) => s.chunks.some((c) => c['usage'] !== null && c['usage'] !== undefined);
    expect(streams.map(hasUsage)).toEqual(streams.map((_, i) => i % 2 === 0));
    // The shared stream was stored once complete: the next ask is a hit.
    expect((await chat(gateway.url, question('Stream together'))).cache).toBe('hit');
  });

  it('a client that hangs up does not fail the others waiting on the same call', async () => {
    const before = await upstreamCalls(fleet);
    // A raw socket, so hanging up really closes the connection the gateway sees.
    const leaving = request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const hungUp = new Promise((resolve) => leaving.on('error', resolve).on('close', resolve));
    leaving.end(JSON.stringify(question('Someone leaves')));
    // Wait until the first request is in flight upstream, then have the others join and the first leave.
    const inFlight = await waitForAccepted(fleet, before + 1);
    expect(inFlight).toBe(before + 1);
    const joinedBefore = await metric(gateway.url, 'freeway_cache_upstream_calls_saved_total', { reason: 'coalesced' });
    const others = Array.from({ length: 3 }, () => chat(gateway.url, question('Someone leaves')));
    await eventually(() => metric(gateway.url, 'freeway_cache_upstream_calls_saved_total', { reason: 'coalesced' }), (n) => n === joinedBefore + 3);
    leaving.destroy();
    await hungUp;
    const answers = await Promise.all(others);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await upstreamCalls(fleet)).toBe(before + 1);
  });
});

function waitForAccepted(fleet: RunningFleet, count: number): Promise<number> {
  return eventually(() => upstreamCalls(fleet), (calls) => calls >= count, { what: `${count} upstream calls` });
}
