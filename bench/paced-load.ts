/**
 * Load at a fixed rate, open loop (as wrk2 does): request i is sent at start + i/rate whatever the
 * answers before it did, so a slow answer never holds back the requests behind it (no coordinated
 * omission), and a stall of the target shows in every request it delays. Latency counts from the
 * send: the sender's own timer lateness (up to a millisecond) is not the target's.
 *
 * Not autocannon's `overallRate`: that lets each connection send its share of the second back to
 * back and then pause until the next second, so "500 requests per second" is 500 requests at full
 * concurrency in the first few milliseconds of each second and nothing after. Its percentiles
 * measure a burst's queue, not the latency at that rate.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile, round, type LoadResult } from './support.js';

export interface PacedLoadOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  requestsPerSecond: number;
  durationSeconds: number;
}

/**
 * Calls `send(i, dueAt)` for i = 0 … total − 1, the i-th due at start + i/rate (performance.now()
 * ms), whether or not earlier calls have settled; resolves with their results once every call has.
 * Timers fire late by up to a millisecond, never early.
 */
export async function openLoop<T>(total: number, ratePerSecond: number, send: (index: number, dueAt: number) => Promise<T>): Promise<T[]> {
  const intervalMs = 1000 / ratePerSecond;
  const start = performance.now();
  const inFlight: Promise<T>[] = [];
  const dueAt = (index: number) => start + index * intervalMs;
  while (inFlight.length < total) {
    while (inFlight.length < total && dueAt(inFlight.length) <= performance.now()) inFlight.push(send(inFlight.length, dueAt(inFlight.length)));
    if (inFlight.length < total) await sleep(dueAt(inFlight.length) - performance.now());
  }
  return Promise.all(inFlight);
}

/** `requestsPerSecond` POSTs of one body for `durationSeconds`, open loop; latency and 2xx rate as load() reports them. */
export async function loadAtRate(options: PacedLoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  // Enough connections that a request never waits for one unless the target stalls for ~100 ms.
  const pool = new Pool(url.origin, { connections: Math.max(8, Math.ceil(options.requestsPerSecond / 10)) });
  const headers = { 'content-type': 'application/json', ...options.headers };
  const total = Math.round(options.requestsPerSecond * options.durationSeconds);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();
  await openLoop(total, options.requestsPerSecond, async () => {
    const sentAt = performance.now();
    try {
      const answer = await pool.request({ path: url.pathname, method: 'POST', headers, body: options.body });
      await answer.body.arrayBuffer();
      if (answer.statusCode >= 200 && answer.statusCode < 300) latencies.push(performance.now() - sentAt);
      else non2xx++;
    } catch {
      errors++;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await pool.close();

  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: total / seconds,
    okPerSecond: latencies.length / seconds,
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    errors,
    non2xx,
  };
}
