// The headroom routing reads from the ledger: minute limits by room left, daily quotas by pace,
// so a day's quota spent faster than the day passes is spared and lasts until the reset.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { HOUR, MINUTE, type Limit } from '../../src/core/limits.js';
import { createQuotaView } from '../../src/gateway/quota-view.js';
import { createMemoryQuotaStore, createQuotaLedger } from '../../src/quota/index.js';
import { makeDeployment } from '../routing/make-deployment.js';

const daily: Limit = { unit: 'requests', amount: 100, windowMs: 24 * HOUR, calendar: 'day' };
const perMinute: Limit = { unit: 'requests', amount: 10, windowMs: MINUTE };

async function setup(limits: Limit[], startAt: number) {
  const clock = new ManualClock(startAt);
  const ledger = createQuotaLedger({ store: createMemoryQuotaStore(), clock });
  const deployment = { ...makeDeployment({ provider: 'p', model: 'm' }), scopeLimits: limits };
  const spend = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const result = await ledger.tryReserve({ buckets: [{ key: deployment.scopeKey, limits }], tokens: 1 });
      expect(result.ok).toBe(true);
    }
  };
  const view = createQuotaView(ledger, clock);
  const headroom = async () => {
    await view.refresh();
    return view.headroom(deployment);
  };
  return { clock, spend, headroom, view, deployment };
}

describe('quota view headroom', () => {
  it('is 1 for a deployment the ledger has not seen', async () => {
    const { headroom } = await setup([daily], Date.UTC(2026, 0, 1, 6));
    expect(await headroom()).toBe(1);
  });

  it('judges a minute limit by the room left', async () => {
    const { spend, headroom } = await setup([perMinute], Date.UTC(2026, 0, 1, 6));
    await spend(4);
    expect(await headroom()).toBeCloseTo(0.6, 2);
  });

  it('paces a daily quota: on pace is full headroom, ahead of the day is spared', async () => {
    // 06:00 UTC: a quarter of the day gone, three quarters left.
    const onPace = await setup([daily], Date.UTC(2026, 0, 1, 6));
    await onPace.spend(25);
    expect(await onPace.headroom()).toBeCloseTo(1, 2);

    const ahead = await setup([daily], Date.UTC(2026, 0, 1, 6));
    await ahead.spend(70);
    // 30% left with 75% of the day to go: 0.3 / 0.75.
    expect(await ahead.headroom()).toBeCloseTo(0.4, 2);

    // The same 30% left late in the day is plenty: it resets soon.
    const late = await setup([daily], Date.UTC(2026, 0, 1, 21));
    await late.spend(70);
    expect(await late.headroom()).toBe(1);
  });

  it('is 0 for a spent scope, which ranking moves behind every deployment with room', async () => {
    const { spend, headroom } = await setup([perMinute], Date.UTC(2026, 0, 1, 6));
    await spend(10);
    expect(await headroom()).toBe(0);
  });
});
