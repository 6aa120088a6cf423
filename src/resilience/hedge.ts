/**
 * Hedged requests (The Tail at Scale): start the primary; if it has not produced by `delayMs`
 * (a deployment's p95 time to first token) and `canHedge()` allows it (a retry budget: on free
 * tiers a hedge spends quota), start the secondary, on a different provider. The first to resolve
 * wins; the other is aborted through its own signal and `onLoser` runs so its reservation can be
 * refunded. A side that fails does not end the race while the other may still win. It owns the
 * race only, never what the sides do; hedging is off unless the gateway's config turns it on.
 *
 *   hedge(primary, secondary, { delayMs, clock, signal?, canHedge?, onLoser? })
 *     : Promise<{ value, winner: 'primary' | 'secondary', hedged: boolean }>
 *   primary/secondary: (signal: AbortSignal) => Promise<T>. When every started side fails, it
 *   rejects with the primary's error.
 */
import type { Clock } from '../core/clock.js';
import { abortReason, linkedController, type LinkedController } from './abort-signals.js';

export type HedgeSide = 'primary' | 'secondary';

export interface HedgeOptions {
  delayMs: number;
  clock: Clock;
  /** The client's signal: aborting it aborts both sides (and runs no onLoser). */
  signal?: AbortSignal;
  /** Asked once, when the delay has passed: may the hedge go? Default: yes. */
  canHedge?: () => boolean;
  /** The side that lost and was aborted. */
  onLoser?: (loser: HedgeSide) => void;
}

export interface HedgeResult<T> {
  value: T;
  winner: HedgeSide;
  hedged: boolean;
}

type Settled<T> = { side: HedgeSide; ok: true; value: T } | { side: HedgeSide; ok: false; error: unknown };

export async function hedge<T>(
  primary: (signal: AbortSignal) => Promise<T>,
  secondary: (signal: AbortSignal) => Promise<T>,
  options: HedgeOptions,
): Promise<HedgeResult<T>> {
  const { clock } = options;
  if (options.signal?.aborted) throw options.signal.reason;
  const sides = new Map<HedgeSide, LinkedController>();
  let winner: HedgeSide | undefined;
  const errors = new Map<HedgeSide, unknown>();
  const timer = linkedController(options.signal);

  // Events from both sides and the timer, consumed one at a time by the loop below.
  type Event = Settled<T> | 'delay' | 'aborted';
  const queue: Event[] = [];
  let wake = () => undefined as void;
  const push = (event: Event) => {
    queue.push(event);
    wake();
  };
  const next = () =>
    new Promise<Event>((resolve) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      wake = () => {
        wake = () => undefined;
        resolve(queue.shift() ?? 'aborted');
      };
    });

  const start = (side: HedgeSide, run: (signal: AbortSignal) => Promise<T>) => {
    const own = linkedController(options.signal);
    sides.set(side, own);
    // A side that throws synchronously fails like one that rejects.
    const work = Promise.resolve().then(() => run(own.signal));
    work.then(
      (value) => push({ side, ok: true, value }),
      (error: unknown) => push({ side, ok: false, error }),
    );
  };

  const onAbort = () => push('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  start('primary', primary);
  clock.sleep(Math.max(0, options.delayMs), timer.signal).then(
    () => push('delay'),
    () => undefined,
  );

  try {
    for (;;) {
      const event = await next();
      if (event === 'aborted') throw options.signal?.reason ?? abortReason('aborted');
      if (event === 'delay') {
        if (!errors.has('primary') && !sides.has('secondary') && (options.canHedge?.() ?? true))
          start('secondary', secondary);
        continue;
      }
      if (event.ok) {
        const loser: HedgeSide = event.side === 'primary' ? 'secondary' : 'primary';
        const losing = sides.get(loser);
        if (losing && !errors.has(loser)) {
          losing.controller.abort(abortReason('lost the hedge race'));
          options.onLoser?.(loser);
        }
        winner = event.side;
        return { value: event.value, winner: event.side, hedged: sides.has('secondary') };
      }
      errors.set(event.side, event.error);
      // The primary failing before the delay ends the race: failing over is the caller's job.
      const stillRunning = [...sides.keys()].some((side) => !errors.has(side));
      if (!stillRunning) throw errors.get('primary') ?? event.error;
    }
  } finally {
    timer.controller.abort();
    timer.release();
    options.signal?.removeEventListener('abort', onAbort);
    // The winner keeps following the client: a stream still being read must stop when it leaves.
    for (const [side, own] of sides) if (side !== winner) own.release();
  }
}
