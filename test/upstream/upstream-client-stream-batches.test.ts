/** The SSE path read a socket read at a time (`batches()`): same chunks, same order, same failures as chunk by chunk. */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parsedChunk, type StreamChunk } from '../../src/core/unparsed-chunk.js';
import { UpstreamFailureError } from '../../src/core/upstream-failure.js';
import { createUpstreamClient, type ChatCompletionChunk, type UpstreamClient } from '../../src/upstream/index.js';
import { chunk, startEventStream, startLoopbackServer, usageChunk, type LoopbackServer } from './support/loopback-server.js';
import { testDeployment } from './support/test-deployment.js';

let server: LoopbackServer | undefined;
let client: UpstreamClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

const request = { model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true };

/** Several events in one write, so they reach the gateway in one socket read. */
function writeAtOnce(response: ServerResponse, events: (Record<string, unknown> | string)[]): void {
  response.write(events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join(''));
}

const contentOf = (batches: StreamChunk[][]) => batches.flat().map((c) => (parsedChunk(c) as ChatCompletionChunk).choices[0]?.delta?.content ?? null);

describe('chatStream batches()', () => {
  it('hands over what was buffered while waiting for content as one batch, then the rest in order, ending on [DONE]', async () => {
    server = await startLoopbackServer((_req, res) => {
      // A byte-order mark may open the body; it must not spoil the first event.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('\uFEFF');
      writeAtOnce(res, [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' })]);
      setImmediate(() => {
        writeAtOnce(res, [chunk({}, 'stop'), usageChunk(9, 2), '[DONE]']);
        res.end();
      });
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const batches: StreamChunk[][] = [];
    for await (const batch of stream.batches()) batches.push(batch);

    expect(contentOf(batches)).toEqual(['', 'Hel', 'lo', null, null]);
    expect(batches[0]?.length).toBeGreaterThanOrEqual(3);
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
    expect(stream.usage()).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });
  });

  it('an error event mid-stream throws after the chunks before it', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeAtOnce(res, [chunk({ content: 'ok so far' }), chunk({ content: '' }, 'error'), '[DONE]']);
      res.end();
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const iterator = stream.batches();
    const first = await iterator.next();
    expect(first.done ? [] : contentOf([first.value])).toEqual(['ok so far']);
    const error = await iterator.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UpstreamFailureError);
    expect((error as UpstreamFailureError).failure).toMatchObject({ kind: 'http', status: 502 });
  });

  it('a cut after content throws a protocol failure, never ends quietly', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeAtOnce(res, [chunk({ content: 'Once upon' }), chunk({ content: ' a time' })]);
      res.end();
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const seen: StreamChunk[][] = [];
    const error = await (async () => {
      for await (const batch of stream.batches()) seen.push(batch);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(contentOf(seen)).toEqual(['Once upon', ' a time']);
    expect((error as UpstreamFailureError).failure.kind).toBe('protocol');
  });

  it('breaking out closes the upstream request', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeAtOnce(res, [chunk({ content: 'a' }), chunk({ content: 'b' })]);
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const hangUp = server.nextHangUp();
    for await (const _batch of stream.batches()) break;
    await hangUp;
    expect(await stream.batches().next()).toEqual({ done: true, value: undefined });
  });
});
