import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';
import { SteerableClock } from '../support/steerable-clock.js';
import { chatLine, readJsonl, waitForBatch } from './batch-support.js';

// Three requests a month: three lines are served, the rest can only wait (or be cancelled, or expire).
const scarceFleet = `
providers:
  - id: scarce
    dialect: openai
    keys: [sim-scarce-key]
    latency: { ttftMs: 5, tokensPerSecond: 5000, jitter: 0 }
    limits: [{ requests: 3, per: month }]
    models:
      - id: scarce-model
        upstreamId: scarce-model-v1
`;

const LINES = 8;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function startScarce(clock: SteerableClock): Promise<{ client: OpenAI; batchId: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-batch-expiry-'));
  stack = await startStack({ fleetYaml: scarceFleet, clock, overrides: { batch: { sqlitePath: join(dir, 'b.sqlite'), concurrency: 2 }, cache: { mode: 'off' } } });
  const client = new OpenAI({ baseURL: `${stack.freeway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const lines = Array.from({ length: LINES }, (_, i) => chatLine(`id-${i}`, 'scarce-model', `question ${i}`));
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'in.jsonl'), purpose: 'batch' });
  const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  return { client, batchId: batch.id };
}

/** Waits until the served lines are done and every other line is held back waiting for quota. */
async function waitUntilStarved(batchId: string): Promise<void> {
  const store = stack!.freeway.batches.store;
  for (;;) {
    const counts = await store.counts(batchId, stack!.fleet.clock.now());
    if (counts.completed === 3 && counts.deferred === LINES - 3) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function filesOf(client: OpenAI, batch: OpenAI.Batches.Batch) {
  const output = batch.output_file_id ? readJsonl(await (await client.files.content(batch.output_file_id)).text()) : [];
  const errors = batch.error_file_id ? readJsonl(await (await client.files.content(batch.error_file_id)).text()) : [];
  return { output, errors };
}

describe('cancel and expiry', () => {
  it('cancel keeps finished results and writes the rest as batch_cancelled errors', async () => {
    const clock = new SteerableClock(Date.UTC(2026, 0, 5, 12));
    const { client, batchId } = await startScarce(clock);
    await waitUntilStarved(batchId);
    const state = (await (await fetch(`${stack!.freeway.url}/v1/freeway/state`)).json()) as { batches: Record<string, unknown>[] };
    expect(state.batches).toEqual([
      expect.objectContaining({ id: batchId, status: 'in_progress', endpoint: '/v1/chat/completions', request_counts: { total: LINES, completed: 3, failed: 0 }, waiting_on_quota: LINES - 3, in_flight: 0 }),
    ]);
    expect(state.batches[0]).toHaveProperty('eta_seconds');
    expect(state.batches[0]).toHaveProperty('rate_per_minute');
    const metrics = await (await fetch(`${stack!.freeway.url}/metrics`)).text();
    expect(metrics).toContain(`freeway_batch_waiting_on_quota_lines{batch="${batchId}"} ${LINES - 3}`);
    expect(metrics).toContain(`freeway_batches_done_lines 3`);
    expect(metrics).toContain(`freeway_batches_runnable_lines 0`);
    expect(metrics).toMatch(/freeway_batches_oldest_line_age_seconds \d/);
    const cancelling = await client.batches.cancel(batchId);
    expect(['cancelling', 'cancelled']).toContain(cancelling.status);
    const batch = await waitForBatch(client, batchId);
    expect(batch.status).toBe('cancelled');
    expect(batch.cancelling_at).not.toBeNull();
    expect(batch.cancelled_at).not.toBeNull();
    expect(batch.request_counts).toEqual({ total: LINES, completed: 3, failed: LINES - 3 });
    const { output, errors } = await filesOf(client, batch);
    expect(output).toHaveLength(3);
    expect(errors.map((e) => (e['error'] as { code: string }).code)).toEqual(Array(LINES - 3).fill('batch_cancelled'));
    const ids = [...output, ...errors].map((l) => l['custom_id']);
    expect(new Set(ids).size).toBe(LINES);
  });

  it('a batch past its completion window ends expired, the unserved lines as batch_expired errors that say why', async () => {
    const clock = new SteerableClock(Date.UTC(2026, 0, 5, 12));
    const { client, batchId } = await startScarce(clock);
    await waitUntilStarved(batchId);
    clock.jump(24 * 60 * 60 * 1000 + 1000);
    const batch = await waitForBatch(client, batchId);
    expect(batch.status).toBe('expired');
    expect(batch.expired_at).not.toBeNull();
    const { output, errors } = await filesOf(client, batch);
    expect(output).toHaveLength(3);
    expect(errors).toHaveLength(LINES - 3);
    for (const line of errors) {
      const error = line['error'] as { code: string; message: string };
      expect(error.code).toBe('batch_expired');
      expect(error.message).toContain('quota_exhausted');
    }
    expect(new Set([...output, ...errors].map((l) => l['custom_id'])).size).toBe(LINES);
  });
});
