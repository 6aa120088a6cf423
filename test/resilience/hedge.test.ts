import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { hedge, type HedgeSide } from '../../src/resilience/index.js';

/** A side whose outcome the test decides, remembering the signal it was given. */
function side<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const state = { started: false, signal: undefined as AbortSignal | undefined };
  const run = (signal: AbortSignal) => {
    state.started = true;
    state.signal = signal;
    return new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
      signal.addEventListener('abort', () => rej(new DOMException('aborted', 'AbortError')));
    });
  };
  return { run, state, resolve: (value: T) => resolve(value), reject: (error: Error) => reject(error) };
}

const settle = async (clock: ManualClock) => {
  for (let i = 0; i < 3; i += 1) await clock.advance(0);
};

describe('hedge', () => {
  it('a primary that answers before the delay wins alone: no hedge is sent', async () => {
    const clock = new ManualClock();
    const primary = side<string>();
    const secondary = side<string>();
    const pending = hedge(primary.run, secondary.run, { delayMs: 800, clock });
    await clock.advance(500);
    primary.resolve('p');
    await expect(pending).resolves.toEqual({ value: 'p', winner: 'primary', hedged: false });
    await clock.advance(1_000);
    expect(secondary.state.started).toBe(false);
  });

  it('a slow primary gets a hedge at the delay; the first to answer wins and the loser is aborted and refunded', async () => {
    const clock = new ManualClock();
    const primary = side<string>();
    const secondary = side<string>();
    const losers: HedgeSide[] = [];
    const pending = hedge(primary.run, secondary.run, { delayMs: 800, clock, onLoser: (loser) => losers.push(loser) });
    await clock.advance(799);
    expect(secondary.state.started).toBe(false);
    await clock.advance(1);
    expect(secondary.state.started).toBe(true);
    secondary.resolve('s');
    await expect(pending).resolves.toEqual({ value: 's', winner: 'secondary', hedged: true });
    expect(primary.state.signal?.aborted).toBe(true);
    expect(secondary.state.signal?.aborted).toBe(false);
    expect(losers).toEqual(['primary']);
  });

  it('the winner keeps following the client after the race', async () => {
    const clock = new ManualClock();
    const client = new AbortController();
    const primary = side<string>();
    const pending = hedge(primary.run, side<string>().run, { delayMs: 100, clock, signal: client.signal });
    await settle(clock);
    primary.resolve('p');
    await pending;
    expect(primary.state.signal?.aborted).toBe(false);
    client.abort();
    expect(primary.state.signal?.aborted).toBe(true);
  });

  it('the primary can still win after the hedge went: the secondary is the one cancelled', async () => {
    const clock = new ManualClock();
    const primary = side<string>();
    const secondary = side<string>();
    const losers: HedgeSide[] = [];
    const pending = hedge(primary.run, secondary.run, { delayMs: 100, clock, onLoser: (loser) => losers.push(loser) });
    await clock.advance(150);
    primary.resolve('p');
    await expect(pending).resolves.toEqual({ value: 'p', winner: 'primary', hedged: true });
    expect(secondary.state.signal?.aborted).toBe(true);
    expect(losers).toEqual(['secondary']);
  });

  it('sends no hedge when the budget says no', async () => {
    const clock = new ManualClock();
    const primary = side<string>();
    const secondary = side<string>();
    let asked = 0;
    const pending = hedge(primary.run, secondary.run, {
      delayMs: 100,
      clock,
      canHedge: () => {
        asked += 1;
        return false;
      },
    });
    await clock.advance(5_000);
    primary.resolve('p');
    await expect(pending).resolves.toEqual({ value: 'p', winner: 'primary', hedged: false });
    expect(asked).toBe(1);
    expect(secondary.state.started).toBe(false);
  });

  it('a side that fails does not end the race while the other may still win', async () => {
    const clock = new ManualClock();
    const primary = side<string>();
    const secondary = side<string>();
    const losers: HedgeSide[] = [];
    const pending = hedge(primary.run, secondary.run, { delayMs: 100, clock, onLoser: (loser) => losers.push(loser) });
    await clock.advance(100);
    primary.reject(new Error('503'));
    await settle(clock);
    secondary.resolve('s');
    await expect(pending).resolves.toEqual({ value: 's', winner: 'secondary', hedged: true });
    expect(losers).toEqual([]);
  });

  it('a primary failing before the delay fails the race at once (failover is the caller’s), and both failing gives the primary’s error', async () => {
    const clock = new ManualClock();
    const early = side<string>();
    const unused = side<string>();
    const first = hedge(early.run, unused.run, { delayMs: 100, clock });
    await settle(clock);
    early.reject(new Error('primary down'));
    await expect(first).rejects.toThrow('primary down');
    await clock.advance(200);
    expect(unused.state.started).toBe(false);

    const primary = side<string>();
    const secondary = side<string>();
    const both = hedge(primary.run, secondary.run, { delayMs: 100, clock });
    await clock.advance(100);
    secondary.reject(new Error('secondary down'));
    await settle(clock);
    primary.reject(new Error('primary down'));
    await expect(both).rejects.toThrow('primary down');
  });

  it('the client leaving aborts both sides', async () => {
    const clock = new ManualClock();
    const client = new AbortController();
    const primary = side<string>();
    const secondary = side<string>();
    const losers: HedgeSide[] = [];
    const pending = hedge(primary.run, secondary.run, {
      delayMs: 100,
      clock,
      signal: client.signal,
      onLoser: (l) => losers.push(l),
    });
    const outcome = pending.catch((error: unknown) => error);
    await clock.advance(100);
    client.abort(new DOMException('client gone', 'AbortError'));
    expect(await outcome).toMatchObject({ name: 'AbortError' });
    expect(primary.state.signal?.aborted).toBe(true);
    expect(secondary.state.signal?.aborted).toBe(true);
    expect(losers).toEqual([]);
  });
});
