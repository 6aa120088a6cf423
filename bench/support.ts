/**
 * Shared pieces of the benchmarks: autocannon runs, percentiles, the results table and JSON file.
 * Benchmarks compare ratios measured in one run, because these machines are shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Redis } from 'ioredis';

export interface LoadResult {
  requestsPerSecond: number;
  /** Only the 2xx answers per second: a target failing fast must not look fast. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections?: number;
  durationSeconds?: number;
  /** Replace each `[<id>]` in the body with a number of its own per request, so that no two requests are alike. */
  uniqueIds?: boolean;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  // autocannon's own percentiles are whole milliseconds, too coarse for overheads of a millisecond
  // or less: keep each 2xx answer's latency as measured (fractional ms) and take percentiles of those.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body,
        connections: options.connections ?? 32,
        duration: options.durationSeconds ?? 5,
        // Not autocannon's idReplacement: it sizes Content-Length for longer ids than it writes, and the server waits for the rest.
        ...(options.uniqueIds ? { requests: [{ setupRequest: numbered(options.body) }] } : {}),
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.average,
    okPerSecond: result.duration > 0 ? result['2xx'] / result.duration : 0,
    p50Ms: round(percentile(latencies, 50), 3),
    p99Ms: round(percentile(latencies, 99), 3),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A setupRequest that gives every request its own `[<id>]`. */
function numbered(body: string): (request: autocannon.Request) => autocannon.Request {
  let sent = 0;
  return (request) => ({ ...request, body: body.replaceAll('[<id>]', String(++sent)) });
}

/** The p-th percentile of sorted values (nearest rank); NaN when there are none. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  console.table(rows);
}

export function writeResult(name: string, data: unknown): string {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
  return file;
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Deletes every key under `prefix` (SCAN, so it is safe on a shared Redis). */
export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
