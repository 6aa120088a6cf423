/**
 * One upstream stream shared by every client that asks the same thing while it runs. Each waiter
 * reads at its own pace from a shared buffer, so a late joiner first gets what was already emitted,
 * then live chunks. An error opening or reading the upstream reaches every waiter; a waiter that stops
 * reading never disturbs the others, and the upstream is cancelled only once every waiter has left.
 * It keeps nothing after the stream ends: replaying finished answers is the cache's job.
 */

export interface FanoutStream<Chunk> extends AsyncIterableIterator<Chunk> {
  /** True for the waiter whose join started the upstream. */
  readonly isLeader: boolean;
}

/** What `start` opens: the upstream chunks plus whatever the caller needs to answer (deployment, attempts…). */
export type OpenedStream<Chunk> = { chunks: AsyncIterable<Chunk> };

/** The opened stream as one waiter sees it: the leader's metadata with this waiter's own reader. */
export type JoinedStream<Chunk, Opened extends OpenedStream<Chunk>> = Omit<Opened, 'chunks'> & {
  chunks: FanoutStream<Chunk>;
  isLeader: boolean;
};

export interface StreamFanout<Chunk = Record<string, unknown>> {
  /**
   * Joins the stream in flight under `key`, or opens it with `start`, whose signal aborts once every
   * waiter has left. Resolves when the upstream is open, so the caller can still answer an opening
   * error before its first byte. Every join on one key must pass the same kind of `start`: followers
   * get the leader's metadata. Leave by breaking out of `for await` (which calls `return()`).
   */
  join<Opened extends OpenedStream<Chunk>>(key: string, start: (signal: AbortSignal) => Promise<Opened>): Promise<JoinedStream<Chunk, Opened>>;
  isInFlight(key: string): boolean;
  stats(): { started: number; joined: number; cancelled: number };
}

interface Broadcast<Chunk> {
  opened: Promise<OpenedStream<Chunk>>;
  chunks: Chunk[];
  state: 'running' | 'done' | 'failed' | 'cancelled';
  error?: unknown;
  waiters: number;
  wakers: Array<() => void>;
  abort: AbortController;
}

export function createStreamFanout<Chunk = Record<string, unknown>>(): StreamFanout<Chunk> {
  const live = new Map<string, Broadcast<Chunk>>();
  const counts = { started: 0, joined: 0, cancelled: 0 };

  const wake = (broadcast: Broadcast<Chunk>) => {
    const wakers = broadcast.wakers;
    broadcast.wakers = [];
    for (const resolve of wakers) resolve();
  };

  const finish = (key: string, broadcast: Broadcast<Chunk>) => {
    if (live.get(key) === broadcast) live.delete(key);
    wake(broadcast);
  };

  // Reads the upstream eagerly, so the fastest reader never waits for the slowest one.
  const pump = async (key: string, broadcast: Broadcast<Chunk>) => {
    try {
      const upstream = (await broadcast.opened).chunks[Symbol.asyncIterator]();
      while (broadcast.state === 'running') {
        const step = await upstream.next();
        if (broadcast.state !== 'running') break;
        if (step.done) {
          broadcast.state = 'done';
          break;
        }
        broadcast.chunks.push(step.value);
        wake(broadcast);
      }
      if (broadcast.state === 'cancelled') await upstream.return?.();
    } catch (error) {
      if (broadcast.state === 'running') {
        broadcast.state = 'failed';
        broadcast.error = error;
      }
    } finally {
      finish(key, broadcast);
    }
  };

  const cancel = (key: string, broadcast: Broadcast<Chunk>) => {
    broadcast.state = 'cancelled';
    counts.cancelled++;
    // An upstream parked in next() ignores return() until that next() settles: the abort signal
    // frees it, and pump() calls return() once it sees the cancellation.
    broadcast.abort.abort(new Error('every client left the stream'));
    finish(key, broadcast);
  };

  const reader = (key: string, shared: Broadcast<Chunk>, isLeader: boolean) => {
    let position = 0;
    let hasLeft = false;
    const leave = () => {
      if (hasLeft) return;
      hasLeft = true;
      shared.waiters--;
      if (shared.waiters === 0 && shared.state === 'running') cancel(key, shared);
    };
    const stream: FanoutStream<Chunk> = {
      isLeader,
      async next(): Promise<IteratorResult<Chunk>> {
        for (;;) {
          if (hasLeft) return { done: true, value: undefined };
          if (position < shared.chunks.length) return { done: false, value: shared.chunks[position++] as Chunk };
          if (shared.state === 'failed') {
            leave();
            throw shared.error;
          }
          if (shared.state !== 'running') {
            leave();
            return { done: true, value: undefined };
          }
          await new Promise<void>((resolve) => shared.wakers.push(resolve));
        }
      },
      async return(): Promise<IteratorResult<Chunk>> {
        leave();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return stream;
      },
    };
    return { stream, leave };
  };

  return {
    async join<Opened extends OpenedStream<Chunk>>(key: string, start: (signal: AbortSignal) => Promise<Opened>) {
      let broadcast = live.get(key);
      const isLeader = broadcast === undefined;
      if (broadcast) {
        counts.joined++;
      } else {
        counts.started++;
        const abort = new AbortController();
        // Started on a microtask so that a synchronous throw in start reaches every waiter as a rejection.
        const opened = Promise.resolve().then(() => start(abort.signal));
        broadcast = { opened, chunks: [], state: 'running', waiters: 0, wakers: [], abort };
        live.set(key, broadcast);
        void pump(key, broadcast);
      }
      broadcast.waiters++;
      const { stream, leave } = reader(key, broadcast, isLeader);
      try {
        const opened = (await broadcast.opened) as Opened;
        return { ...opened, chunks: stream, isLeader };
      } catch (error) {
        leave();
        throw error;
      }
    },
    isInFlight: (key) => live.has(key),
    stats: () => ({ ...counts }),
  };
}
