import { describe, expect, it } from 'vitest';
import { createStreamFanout } from '../../src/cache/index.js';

type Chunk = { n: number };

/** A hand-driven upstream stream: the test pushes chunks, ends it or fails it. */
function controlledStream() {
  const queue: Array<IteratorResult<Chunk> | Error> = [];
  let wake: (() => void) | undefined;
  let returned = false;
  let aborted = false;
  const push = (item: IteratorResult<Chunk> | Error) => {
    queue.push(item);
    wake?.();
  };
  const iterable: AsyncIterable<Chunk> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        while (queue.length === 0 && !aborted) await new Promise<void>((resolve) => (wake = resolve));
        if (aborted) return { done: true, value: undefined };
        const item = queue.shift() as IteratorResult<Chunk> | Error;
        if (item instanceof Error) throw item;
        return item;
      },
      async return() {
        returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return {
    iterable,
    emit: (n: number) => push({ done: false, value: { n } }),
    end: () => push({ done: true, value: undefined }),
    fail: (error: Error) => push(error),
    onAbort: (signal: AbortSignal) =>
      signal.addEventListener('abort', () => {
        aborted = true;
        wake?.();
      }),
    wasReturned: () => returned,
    wasAborted: () => aborted,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function readAll(stream: AsyncIterable<Chunk>): Promise<number[]> {
  const seen: number[] = [];
  for await (const chunk of stream) seen.push(chunk.n);
  return seen;
}

describe('createStreamFanout', () => {
  it('fans one upstream stream out to every waiter, a late joiner first getting what was emitted', async () => {
    const fanout = createStreamFanout<Chunk>();
    const upstream = controlledStream();
    let starts = 0;
    const start = async () => {
      starts++;
      return { chunks: upstream.iterable, deployment: 'groq' };
    };
    const first = await fanout.join('k', start);
    const firstRead = readAll(first.chunks);
    upstream.emit(1);
    upstream.emit(2);
    await settle();
    const late = await fanout.join('k', start);
    const lateRead = readAll(late.chunks);
    upstream.emit(3);
    upstream.end();
    expect(await firstRead).toEqual([1, 2, 3]);
    expect(await lateRead).toEqual([1, 2, 3]);
    expect(starts).toBe(1);
    expect([first.isLeader, late.isLeader]).toEqual([true, false]);
    expect(late.deployment).toBe('groq');
    expect(fanout.isInFlight('k')).toBe(false);
    expect(fanout.stats()).toEqual({ started: 1, joined: 1, cancelled: 0 });
  });

  it('passes an upstream error to every waiter after the chunks before it', async () => {
    const fanout = createStreamFanout<Chunk>();
    const upstream = controlledStream();
    const start = async () => ({ chunks: upstream.iterable });
    const waiters = await Promise.all([fanout.join('k', start), fanout.join('k', start), fanout.join('k', start)]);
    const reads = waiters.map(async (w) => {
      const seen: number[] = [];
      try {
        for await (const chunk of w.chunks) seen.push(chunk.n);
      } catch (error) {
        return { seen, error: (error as Error).message };
      }
      return { seen, error: undefined };
    });
    upstream.emit(1);
    upstream.fail(new Error('mid-stream 429'));
    for (const outcome of await Promise.all(reads)) expect(outcome).toEqual({ seen: [1], error: 'mid-stream 429' });
  });

  it('passes an opening error to every waiter', async () => {
    const fanout = createStreamFanout<Chunk>();
    const start = async (): Promise<{ chunks: AsyncIterable<Chunk> }> => {
      throw new Error('no healthy provider');
    };
    const outcomes = await Promise.allSettled([fanout.join('k', start), fanout.join('k', start)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(fanout.isInFlight('k')).toBe(false);
  });

  it('lets one waiter leave without disturbing the others; cancels upstream when the last leaves', async () => {
    const fanout = createStreamFanout<Chunk>();
    const upstream = controlledStream();
    let signal: AbortSignal | undefined;
    const start = async (s: AbortSignal) => {
      signal = s;
      upstream.onAbort(s);
      return { chunks: upstream.iterable };
    };
    const quitter = await fanout.join('k', start);
    const stayer = await fanout.join('k', start);
    const stayerRead = (async () => {
      const seen: number[] = [];
      for await (const chunk of stayer.chunks) {
        seen.push(chunk.n);
        if (seen.length === 3) break;
      }
      return seen;
    })();
    upstream.emit(1);
    for await (const chunk of quitter.chunks) if (chunk.n === 1) break;
    expect(signal?.aborted).toBe(false);
    upstream.emit(2);
    upstream.emit(3);
    expect(await stayerRead).toEqual([1, 2, 3]);
    await settle();
    expect(signal?.aborted).toBe(true);
    expect(upstream.wasReturned()).toBe(true);
    expect(fanout.stats().cancelled).toBe(1);
    expect(fanout.isInFlight('k')).toBe(false);
  });

  it('starts a fresh upstream for a key whose stream has finished', async () => {
    const fanout = createStreamFanout<Chunk>();
    let starts = 0;
    const start = async () => {
      starts++;
      const upstream = controlledStream();
      upstream.emit(starts);
      upstream.end();
      return { chunks: upstream.iterable };
    };
    expect(await readAll((await fanout.join('k', start)).chunks)).toEqual([1]);
    expect(await readAll((await fanout.join('k', start)).chunks)).toEqual([2]);
  });
});
