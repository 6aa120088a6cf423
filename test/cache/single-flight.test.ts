import { describe, expect, it } from 'vitest';
import { createSingleFlight } from '../../src/cache/index.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createSingleFlight', () => {
  it('20 identical concurrent calls make one call and share its answer', async () => {
    const flight = createSingleFlight<{ answer: string }>();
    const upstream = deferred<{ answer: string }>();
    let calls = 0;
    const fn = () => {
      calls++;
      return upstream.promise;
    };
    const waiters = Array.from({ length: 20 }, () => flight.run('k', fn));
    expect(flight.isInFlight('k')).toBe(true);
    upstream.resolve({ answer: '4' });
    const answers = await Promise.all(waiters);
    expect(calls).toBe(1);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toEqual({ answer: '4' });
    expect(flight.stats()).toEqual({ executed: 1, joined: 19 });
  });

  it('passes an error to every waiter and remembers nothing afterwards', async () => {
    const flight = createSingleFlight<string>();
    const upstream = deferred<string>();
    let calls = 0;
    const waiters = Array.from({ length: 5 }, () =>
      flight.run('k', () => {
        calls++;
        return upstream.promise;
      }),
    );
    upstream.reject(new Error('upstream 503'));
    const outcomes = await Promise.allSettled(waiters);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'upstream 503')).toBe(true);
    expect(flight.isInFlight('k')).toBe(false);
    expect(await flight.run('k', async () => `call ${++calls}`)).toBe('call 2');
  });

  it('keeps different keys apart and turns a synchronous throw into a rejection', async () => {
    const flight = createSingleFlight<string>();
    const [a, b] = await Promise.all([flight.run('a', async () => 'A'), flight.run('b', async () => 'B')]);
    expect([a, b]).toEqual(['A', 'B']);
    await expect(
      flight.run('c', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });
});
