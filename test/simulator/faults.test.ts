/**
 * Each fault kind, by schedule (request numbers) and by period of fleet time, plus lowered limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chat, fleetFrom, sseEvents, untilAccepted } from './sim-client.js';

let fleet: RunningFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const fleetWith = (faults: string, latency = '{ ttftMs: 0, tokensPerSecond: 0, jitter: 0 }') => `
providers:
  - id: p
    dialect: openai
    latency: ${latency}
    faults: ${faults}
    models:
      - { id: m, upstreamId: m, maxOutputTokens: 100 }
`;
const streamBody = {
  model: 'm',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'sim:tokens=10 hi' }],
};
const faultsOf = () => fleet!.stats().providers.p!.faults;

describe('faults', () => {
  it('server-error: a 5xx with the configured status, then normal service', async () => {
    ({ fleet } = await fleetFrom(fleetWith('[{ kind: server-error, status: 502, at: [1] }]')));
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(502);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect(faultsOf()).toEqual({ 'server-error': 1 });
  });

  it('reset: the connection closes before any header', async () => {
    ({ fleet } = await fleetFrom(fleetWith('[{ kind: reset, every: 1 }]')));
    await expect(chat(fleet, 0, { model: 'm' })).rejects.toThrow();
    expect(faultsOf()).toEqual({ reset: 1 });
  });

  it('stall: headers arrive, then nothing until the client gives up', async () => {
    ({ fleet } = await fleetFrom(fleetWith('[{ kind: stall, at: [1] }]')));
    const controller = new AbortController();
    const response = await fetch(`${fleet.providers[0]!.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-p-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const pending = reader.read();
    const winner = await Promise.race([
      pending.then(() => 'data'),
      new Promise((r) => setImmediate(() => setImmediate(() => r('nothing')))),
    ]);
    expect(winner).toBe('nothing');
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(faultsOf()).toEqual({ stall: 1 });
  });

  it('stream-cut: some content, then the connection drops without [DONE]', async () => {
    ({ fleet } = await fleetFrom(fleetWith('[{ kind: stream-cut, afterTokens: 3, at: [1] }]')));
    const response = await fetch(`${fleet.providers[0]!.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-p-key', 'content-type': 'application/json' },
      body: JSON.stringify(streamBody),
    });
    expect(response.status).toBe(200);
    let text = '';
    const decoder = new TextDecoder();
    await expect(
      (async () => {
        for await (const chunk of response.body!) text += decoder.decode(chunk as Uint8Array);
      })(),
    ).rejects.toThrow();
    expect(text).toContain('"content":');
    expect(text).not.toContain('[DONE]');
    expect(fleet.stats().providers.p).toMatchObject({ completionTokens: 3, completed: 0, faults: { 'stream-cut': 1 } });
  });

  it('sse-error: a 200 whose first event is an error (OpenRouter style)', async () => {
    ({ fleet } = await fleetFrom(fleetWith('[{ kind: sse-error, at: [1] }]')));
    const response = await chat(fleet, 0, streamBody);
    expect(response.status).toBe(200);
    const [first] = sseEvents(response.text);
    expect(first).toMatchObject({ error: { code: 502 }, choices: [{ finish_reason: 'error' }] });
  });

  it('slow-first-token: the first token waits the extra delay on the fleet clock', async () => {
    let clock;
    ({ fleet, clock } = await fleetFrom(fleetWith('[{ kind: slow-first-token, delay: 2s, at: [1] }]')));
    let done = false;
    const pending = chat(fleet, 0, { model: 'm' }).then((r) => {
      done = true;
      return r;
    });
    await untilAccepted(fleet, 'p', 1);
    const acceptedAt = clock.now();
    await clock.advance(1999);
    // Not a wall-clock wait: the answer is parked on the fleet clock, due exactly at the 2 s mark.
    expect(done).toBe(false);
    expect(clock.nextWakeAt()).toBe(acceptedAt + 2000);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('outage: every request inside the period gets a 503, before and after it is fine', async () => {
    let clock;
    ({ fleet, clock } = await fleetFrom(fleetWith('[{ kind: outage, from: 10s, for: 5s }]')));
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    await clock.advance(10_000);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(503);
    await clock.advance(5_000);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect(faultsOf()).toEqual({ outage: 1 });
  });

  it('lower-limits: the real limit is lower than the advertised one', async () => {
    ({ fleet } = await fleetFrom(`
providers:
  - id: p
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    limits: [{ requests: 10, per: minute }]
    faults: [{ kind: lower-limits, factor: 0.5 }]
    models: [m]
`));
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await chat(fleet, 0, { model: 'm', max_tokens: 5 })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(fleet.spec.providers[0]!.limits[0]!.amount).toBe(10);
  });
});
