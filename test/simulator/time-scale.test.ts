/**
 * --time-scale: the fleet's clock runs X times faster than the injected one, so windows, calendar
 * resets and latencies all shrink by X.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chat, fleetFrom, untilAccepted } from './sim-client.js';

let fleet: RunningFleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const limited = (limits: string, latency = '{ ttftMs: 0, tokensPerSecond: 0, jitter: 0 }') => `
providers:
  - id: p
    dialect: groq
    latency: ${latency}
    limits: ${limits}
    models: [m]
`;

describe('time scale', () => {
  it('refills a per-minute limit after one real second at 60x', async () => {
    let clock;
    ({ fleet, clock } = await fleetFrom(limited('[{ requests: 1, per: minute }]'), { timeScale: 60 }));
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    const limitedResponse = await chat(fleet, 0, { model: 'm' });
    expect(limitedResponse.status).toBe(429);
    expect(limitedResponse.headers['retry-after']).toBe('60');
    await clock.advance(999);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(429);
    await clock.advance(1);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
  });

  it('fits a day of quota into a test: the daily window resets at fleet midnight', async () => {
    let clock;
    // The clock starts at 12:00 UTC: fleet midnight is 12 fleet hours = 0.5 s away at 86400x.
    ({ fleet, clock } = await fleetFrom(limited('[{ requests: 2, per: day }]'), { timeScale: 86_400 }));
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(429);
    await clock.advance(500);
    expect((await chat(fleet, 0, { model: 'm' })).status).toBe(200);
    expect(fleet.stats().violations).toBe(0);
  });

  it('shrinks latencies: a 1 s time to first token takes 100 ms at 10x', async () => {
    let clock;
    ({ fleet, clock } = await fleetFrom(limited('[]', '{ ttftMs: 1000, tokensPerSecond: 0, jitter: 0 }'), {
      timeScale: 10,
    }));
    let done = false;
    const pending = chat(fleet, 0, { model: 'm' }).finally(() => (done = true));
    await untilAccepted(fleet, 'p', 1);
    const acceptedAt = clock.now();
    await clock.advance(99);
    // Not a wall-clock wait: the first token is parked on the base clock, due exactly 100 ms in.
    expect(done).toBe(false);
    expect(clock.nextWakeAt()).toBe(acceptedAt + 100);
    await clock.advance(1);
    expect((await pending).status).toBe(200);
  });
});
