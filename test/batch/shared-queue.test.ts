import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chatLine, readJsonl, waitForBatch } from './batch-support.js';
import { CHAT_MODEL, fleetTotals, spawnFreeway, startRedisServer, startSlowFleet, tempDir, writeConfig, type Child, type RedisServer } from './process-support.js';

const CONCURRENCY = 4;
let fleet: RunningFleet | undefined;
let redis: RedisServer | undefined;
const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  await fleet?.close();
  await redis?.stop();
  fleet = undefined;
  redis = undefined;
});

async function setUp(): Promise<{ config: string } | undefined> {
  redis = await startRedisServer();
  if (!redis) {
    if (process.env['CI'] === 'true') throw new Error('redis-server is required in CI');
    console.warn('skipping: redis-server is not installed');
    return undefined;
  }
  fleet = await startSlowFleet(150);
  const dir = tempDir('freeway-batch-queue-');
  return { config: writeConfig(dir, fleet, { state: { redis: redis.url }, batch: { concurrency: CONCURRENCY, leaseMs: 3000, sqlitePath: join(dir, 'unused.sqlite') } }) };
}

function start(args: string[]): Child {
  const child = spawnFreeway(args);
  children.push(child);
  return child;
}

async function startServe(config: string): Promise<{ child: Child; client: OpenAI }> {
  const child = start(['serve', '--config', config]);
  const url = (await child.waitFor(/at (http:\/\/[^\s]+)\/v1/))[1]!;
  return { child, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

async function createBatch(client: OpenAI, lines: number): Promise<string> {
  const input = Array.from({ length: lines }, (_, i) => chatLine(`q-${i}`, CHAT_MODEL, `Shared queue question ${i}`));
  const file = await client.files.create({ file: await toFile(Buffer.from(input.join('\n')), 'in.jsonl'), purpose: 'batch' });
  return (await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id;
}

async function waitForCompleted(client: OpenAI, id: string, atLeast: number): Promise<void> {
  for (;;) {
    const counts = await client.batches.retrieve(id).then((b) => b.request_counts!.completed, () => -1);
    if (counts >= atLeast) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function expectExactlyOnce(client: OpenAI, id: string, lines: number): Promise<void> {
  const batch = await waitForBatch(client, id);
  expect(batch.status).toBe('completed');
  expect(batch.request_counts).toEqual({ total: lines, completed: lines, failed: 0 });
  const ids = readJsonl(await (await client.files.content(batch.output_file_id!)).text()).map((l) => l['custom_id'] as string);
  expect(ids).toHaveLength(lines);
  expect(new Set(ids).size).toBe(lines);
}

describe('the shared queue on Redis: gateways and freeway worker processes', () => {
  it('a worker and then a gateway SIGKILLed mid-batch: the batch completes, each custom_id once, no 429', async () => {
    const setup = await setUp();
    if (!setup) return;
    const LINES = 60;
    const gateway = await startServe(setup.config);
    const workerA = start(['worker', '--config', setup.config, '--concurrency', String(CONCURRENCY)]);
    const workerB = start(['worker', '--config', setup.config, '--concurrency', String(CONCURRENCY)]);
    await Promise.all([workerA.waitFor(/Worker \S+ is taking/), workerB.waitFor(/Worker \S+ is taking/)]);
    const id = await createBatch(gateway.client, LINES);
    await waitForCompleted(gateway.client, id, 10);
    await workerA.kill('SIGKILL');
    await waitForCompleted(gateway.client, id, 25);
    await gateway.child.kill('SIGKILL');
    expect(fleetTotals(fleet!).accepted).toBeLessThan(LINES);

    const second = await startServe(setup.config);
    await expectExactlyOnce(second.client, id, LINES);
    const totals = fleetTotals(fleet!);
    expect(totals.rejected).toBe(0);
    // Two processes died, each with at most CONCURRENCY lines in flight.
    expect(totals.accepted).toBeLessThanOrEqual(LINES + 2 * CONCURRENCY);

    // SIGTERM: a worker hands back what it holds and exits cleanly.
    const stopped = await workerB.kill('SIGTERM');
    expect(stopped).toBe(0);
  }, 180_000);

  it('Redis lost mid-batch: lines wait, nothing is lost, the batch resumes when Redis returns', async () => {
    const setup = await setUp();
    if (!setup) return;
    const LINES = 40;
    const gateway = await startServe(setup.config);
    const worker = start(['worker', '--config', setup.config, '--concurrency', String(CONCURRENCY)]);
    await worker.waitFor(/Worker \S+ is taking/);
    const id = await createBatch(gateway.client, LINES);
    await waitForCompleted(gateway.client, id, 10);
    await redis!.stop();
    await expect(gateway.client.batches.retrieve(id)).rejects.toMatchObject({ status: 503 });
    await redis!.restart();
    // The gateway reconnects by itself; the API answers again once it has.
    while (!(await gateway.client.batches.retrieve(id).then(() => true, () => false))) await new Promise((r) => setTimeout(r, 25));
    await expectExactlyOnce(gateway.client, id, LINES);
    const totals = fleetTotals(fleet!);
    expect(totals.rejected).toBe(0);
    expect(totals.accepted).toBeLessThanOrEqual(LINES + 2 * CONCURRENCY);
  }, 180_000);
});
