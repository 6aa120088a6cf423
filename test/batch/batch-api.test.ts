import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';
import { chatLine, readJsonl, waitForBatch } from './batch-support.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-batch-api-'));
  stack = await startStack({ overrides: { batch: { sqlitePath: join(dir, 'batches.sqlite'), concurrency: 4 } } });
  client = new OpenAI({ baseURL: `${stack.freeway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => stack?.close());

const upload = async (lines: string[], name = 'input.jsonl') => client.files.create({ file: await toFile(Buffer.from(lines.join('\n') + '\n'), name), purpose: 'batch' });

describe('the OpenAI Batch API with the real openai client', () => {
  it('runs a whole chat batch: files.create, batches.create, retrieve, list, files.content', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => chatLine(`req-${i}`, 'auto', `Say ${i}`));
    const file = await upload(lines);
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'input.jsonl' });
    expect((await client.files.retrieve(file.id)).bytes).toBe(file.bytes);

    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'test' } });
    expect(created).toMatchObject({ object: 'batch', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'test' } });
    expect(created.expires_at! - created.created_at).toBe(86_400);

    const done = await waitForBatch(client, created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 12, completed: 12, failed: 0 });
    expect(done.completed_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.finalizing_at).not.toBeNull();
    expect(done.error_file_id).toBeNull();

    const output = readJsonl(await (await client.files.content(done.output_file_id!)).text());
    expect(output.map((l) => l['custom_id']).sort()).toEqual(lines.map((_, i) => `req-${i}`).sort());
    for (const line of output) {
      const response = line['response'] as { status_code: number; request_id: string; body: { choices: unknown[]; model: string } };
      expect(response.status_code).toBe(200);
      expect(response.body.choices.length).toBe(1);
      expect(line['error']).toBeNull();
      expect(String(line['id'])).toMatch(/^batch_req_/);
    }

    const page = await client.batches.list({ limit: 10 });
    expect(page.data.map((b) => b.id)).toContain(created.id);
  });

  it('writes every bad line to the error file or errors.data and runs the good ones', async () => {
    const lines = [
      chatLine('good-1', 'auto', 'hello'),
      '{"custom_id": "broken", ',
      JSON.stringify({ method: 'POST', url: '/v1/chat/completions', body: { model: 'auto', messages: [] } }),
      chatLine('good-1', 'auto', 'duplicate id'),
      JSON.stringify({ custom_id: 'wrong-url', method: 'POST', url: '/v1/completions', body: { model: 'auto' } }),
      JSON.stringify({ custom_id: 'wrong-method', method: 'GET', url: '/v1/chat/completions', body: { model: 'auto' } }),
      JSON.stringify({ custom_id: 'streams', method: 'POST', url: '/v1/chat/completions', body: { model: 'auto', stream: true, messages: [{ role: 'user', content: 'x' }] } }),
      chatLine('unknown-model', 'no-such-model-anywhere', 'hello'),
      chatLine('good-2', 'auto', 'hello again'),
    ];
    const file = await upload(lines, 'bad.jsonl');
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await waitForBatch(client, created.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 9, completed: 2, failed: 7 });
    const codes = done.errors!.data!.map((e) => [e.line, e.code]);
    expect(codes).toEqual([
      [2, 'invalid_json'],
      [3, 'missing_custom_id'],
      [4, 'duplicate_custom_id'],
      [5, 'invalid_url'],
      [6, 'invalid_method'],
      [7, 'stream_not_supported'],
      [8, 'model_not_found'],
    ]);
    const errors = readJsonl(await (await client.files.content(done.error_file_id!)).text());
    const output = readJsonl(await (await client.files.content(done.output_file_id!)).text());
    const ids = [...output, ...errors].map((l) => l['custom_id']).filter((id) => id !== null);
    expect(ids.sort()).toEqual(['good-1', 'good-2', 'streams', 'unknown-model', 'wrong-method', 'wrong-url']);
    expect(errors.filter((l) => l['custom_id'] === null)).toHaveLength(2);
    for (const line of errors) expect((line['error'] as { message: string }).message).toMatch(/^line \d+: /);
  });

  it('refuses bad uploads and bad batch requests in OpenAI error shape', async () => {
    await expect(client.files.create({ file: await toFile(Buffer.from('{}\n'), 'x.jsonl'), purpose: 'fine-tune' })).rejects.toMatchObject({ status: 400, param: 'purpose' });
    await expect(client.files.create({ file: await toFile(Buffer.alloc(0), 'x.jsonl'), purpose: 'batch' })).rejects.toMatchObject({ status: 400 });
    await expect(client.batches.create({ input_file_id: 'file-missing', endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
    const file = await upload([chatLine('a', 'auto', 'x')]);
    await expect(client.batches.create({ input_file_id: file.id, endpoint: '/v1/responses', completion_window: '24h' })).rejects.toMatchObject({ status: 400, param: 'endpoint' });
    await expect(client.batches.retrieve('batch_missing')).rejects.toMatchObject({ status: 404 });
    await expect(client.files.content('file-missing')).rejects.toMatchObject({ status: 404 });
    expect(await client.files.delete(file.id)).toMatchObject({ id: file.id, deleted: true });
    await expect(client.files.retrieve(file.id)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a file over the line limit with 400 and over the byte limit with 413', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-batch-limits-'));
    const small = await startStack({ overrides: { batch: { sqlitePath: join(dir, 'b.sqlite'), maxLines: 2, maxFileBytes: 2000 } } });
    try {
      const tiny = new OpenAI({ baseURL: `${small.freeway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const three = [1, 2, 3].map((i) => chatLine(`l${i}`, 'auto', 'x')).join('\n');
      await expect(tiny.files.create({ file: await toFile(Buffer.from(three), 'a.jsonl'), purpose: 'batch' })).rejects.toMatchObject({ status: 400, param: 'file' });
      await expect(tiny.files.create({ file: await toFile(Buffer.alloc(5000, 'x'), 'b.jsonl'), purpose: 'batch' })).rejects.toMatchObject({ status: 413 });
    } finally {
      await small.close();
    }
  });

  it('embeddings batches run through /v1/embeddings', async () => {
    const models = (await client.models.list()).data.map((m) => m.id);
    const embedding = stack.freeway.config.providers.flatMap((p) => p.models ?? []).find((m) => m.tags.includes('embedding'))?.id;
    expect(embedding && models.includes(embedding)).toBe(true);
    const lines = [0, 1, 2].map((i) => JSON.stringify({ custom_id: `e${i}`, method: 'POST', url: '/v1/embeddings', body: { model: embedding, input: `chunk ${i}` } }));
    const file = await upload(lines, 'emb.jsonl');
    const done = await waitForBatch(client, (await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).id);
    expect(done.request_counts).toEqual({ total: 3, completed: 3, failed: 0 });
    const output = readJsonl(await (await client.files.content(done.output_file_id!)).text());
    expect((output[0]!['response'] as { body: { data: unknown[] } }).body.data).toHaveLength(1);
  });

  it('lists with a cursor: after, limit, has_more, first_id, last_id', async () => {
    const file = await upload([chatLine('c', 'auto', 'x')]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    const first = await client.batches.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await client.batches.list({ limit: 2, after: ids[1] });
    expect(second.data[0]?.id).toBe(ids[0]);
    const response = await fetch(`${stack.freeway.url}/v1/batches?limit=2`);
    expect(await response.json()).toMatchObject({ object: 'list', first_id: ids[2], last_id: ids[1], has_more: true });
    for (const id of ids) await waitForBatch(client, id);
  });
});
