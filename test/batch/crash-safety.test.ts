import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chatLine, readJsonl, waitForBatch } from './batch-support.js';
import { CHAT_MODEL, fleetTotals, spawnFreeway, startSlowFleet, tempDir, writeConfig, type Child } from './process-support.js';

const LINES = 40;
const CONCURRENCY = 4;
let fleet: RunningFleet | undefined;
const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await child.kill('SIGKILL');
  await fleet?.close();
  fleet = undefined;
});

const inputLines = () => Array.from({ length: LINES }, (_, i) => chatLine(`line-${i}`, CHAT_MODEL, `Question number ${i}`));

async function startServe(config: string): Promise<{ child: Child; client: OpenAI }> {
  const child = spawnFreeway(['serve', '--config', config]);
  children.push(child);
  const url = (await child.waitFor(/at (http:\/\/[^\s]+)\/v1/))[1]!;
  return { child, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

async function waitForCompleted(client: OpenAI, id: string, atLeast: number): Promise<void> {
  while ((await client.batches.retrieve(id)).request_counts!.completed < atLeast) await new Promise((r) => setTimeout(r, 25));
}

describe('crash safety of the embedded engine (real processes)', () => {
  it('a gateway SIGKILLed mid-batch resumes on restart: every custom_id once, no 429, nothing resent beyond the in-flight lines', async () => {
    fleet = await startSlowFleet(150);
    const dir = tempDir('freeway-batch-crash-');
    const config = writeConfig(dir, fleet, { batch: { sqlitePath: join(dir, 'batches.sqlite'), concurrency: CONCURRENCY } });
    const first = await startServe(config);
    const file = await first.client.files.create({ file: await toFile(Buffer.from(inputLines().join('\n')), 'in.jsonl'), purpose: 'batch' });
    const batch = await first.client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await waitForCompleted(first.client, batch.id, 10);
    await first.child.kill('SIGKILL');
    const doneBeforeKill = fleetTotals(fleet).accepted;
    expect(doneBeforeKill).toBeLessThan(LINES);

    const second = await startServe(config);
    const done = await waitForBatch(second.client, batch.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
    const output = readJsonl(await (await second.client.files.content(done.output_file_id!)).text());
    const ids = output.map((l) => l['custom_id'] as string);
    expect(new Set(ids).size).toBe(LINES);
    expect(ids.sort()).toEqual(inputLines().map((_, i) => `line-${i}`).sort());
    const totals = fleetTotals(fleet);
    expect(totals.rejected).toBe(0);
    // Only the lines in flight at the kill may have been sent twice.
    expect(totals.accepted).toBeLessThanOrEqual(LINES + CONCURRENCY);
  }, 120_000);

  it('freeway batch SIGKILLed and rerun sends no finished line again and writes each line once', async () => {
    fleet = await startSlowFleet(150);
    const dir = tempDir('freeway-batch-cli-');
    const config = writeConfig(dir, fleet, { batch: { concurrency: CONCURRENCY } });
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    writeFileSync(input, inputLines().join('\n') + '\n');
    const first = spawnFreeway(['batch', input, '--output', output, '--errors', join(dir, 'err.jsonl'), '--config', config]);
    children.push(first);
    await first.waitFor(/done ([1-9]\d) /);
    await first.kill('SIGKILL');
    const acceptedAtKill = fleetTotals(fleet).accepted;
    expect(acceptedAtKill).toBeLessThan(LINES);

    const second = spawnFreeway(['batch', input, '--output', output, '--errors', join(dir, 'err.jsonl'), '--config', config]);
    children.push(second);
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain(`Batch completed: ${LINES} succeeded, 0 failed`);
    const ids = readJsonl(readFileSync(output, 'utf8')).map((l) => l['custom_id'] as string);
    expect(ids).toHaveLength(LINES);
    expect(new Set(ids).size).toBe(LINES);
    expect(readFileSync(join(dir, 'err.jsonl'), 'utf8')).toBe('');
    const totals = fleetTotals(fleet);
    expect(totals.rejected).toBe(0);
    expect(totals.accepted).toBeLessThanOrEqual(LINES + CONCURRENCY);

    // A third run of a finished batch sends nothing and rewrites the same lines.
    const third = spawnFreeway(['batch', input, '--output', output, '--errors', join(dir, 'err.jsonl'), '--config', config]);
    children.push(third);
    expect(await third.exited).toBe(0);
    expect(fleetTotals(fleet).accepted).toBe(totals.accepted);
    expect(readJsonl(readFileSync(output, 'utf8'))).toHaveLength(LINES);
  }, 120_000);
});
