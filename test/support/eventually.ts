/**
 * The one way tests wait for something they cannot await directly (background work, a counter in
 * another server, a child process's output): re-read it until it holds. It polls on real time but
 * never asserts on time: the bound is a count of reads, generous enough for a loaded machine, and
 * running out of it is a failure that names what was awaited and what was last seen.
 *
 *   const n = await eventually(() => metric(url, 'x'), (n) => n === 3, { what: 'three stores' });
 *   await eventually(async () => (await depth()) === 1);              // `done` defaults to truthiness
 */
export interface EventuallyOptions {
  /** Reads before giving up (default 1000, one every `intervalMs`). */
  attempts?: number;
  /** Pause between reads, in ms (default 10). */
  intervalMs?: number;
  /** Named in the failure. */
  what?: string;
}

export async function eventually<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean = (value) => Boolean(value),
  options: EventuallyOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 1000;
  let value: T | undefined;
  for (let i = 0; i < attempts; i++) {
    value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
  throw new Error(`${options.what ?? 'condition'} never held after ${attempts} reads; last value: ${String(JSON.stringify(value))}`);
}
