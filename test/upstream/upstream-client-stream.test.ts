/** The adapter's SSE path against real loopback servers: hold until content, then never end silently. */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { jsonTextOf } from '../../src/core/parsed-json-text.js';
import { UpstreamFailureError } from '../../src/core/upstream-failure.js';
import { createUpstreamClient, isUsageOnlyChunk, type ChatCompletionChunk, type UpstreamClient, type UpstreamStream } from '../../src/upstream/index.js';
import { chunk, sendJson, startEventStream, startLoopbackServer, usageChunk, writeEvents, type LoopbackServer } from './support/loopback-server.js';
import { testDeployment } from './support/test-deployment.js';

let server: LoopbackServer | undefined;
let client: UpstreamClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function collect(stream: UpstreamStream): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const piece of stream) chunks.push(piece);
  return chunks;
}

/** The text of the next chunk; undefined when iteration ended. */
async function nextContent(iterator: AsyncIterator<ChatCompletionChunk>): Promise<string | null | undefined> {
  const step = await iterator.next();
  return step.done ? undefined : (step.value).choices[0]?.delta?.content;
}

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamFailureError);
  return error as UpstreamFailureError;
}

const request = { model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true };

describe('chatStream', () => {
  it('buffers comments and role-only chunks, yields everything in order, keeps usage, ends on [DONE]', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res, { 'x-ratelimit-remaining-tokens': '5900', 'x-ratelimit-limit-tokens': '6000' });
      writeEvents(res, [': OPENROUTER PROCESSING', chunk({ role: 'assistant', content: '' }), ': OPENROUTER PROCESSING']);
      writeEvents(res, [chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), usageChunk(9, 2), '[DONE]']);
      res.end();
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const stream = await client.chatStream(testDeployment(server.baseUrl, { dialect: 'groq' }), request, {});

    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.signal.observations).toEqual([{ unit: 'tokens', windowMs: 60_000, limit: 6000, remaining: 5900 }]);
    expect(stream.clientWantsUsage).toBe(false);
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? null)).toEqual(['', 'Hel', 'lo', null, null]);
    expect(isUsageOnlyChunk(chunks[4] as ChatCompletionChunk)).toBe(true);
    expect(stream.usage()).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });

    // Upstream always gets include_usage, whatever the client asked.
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({
      model: 'up-model-a',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('says whether the client itself asked for usage, and keeps its other stream options', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'x' }), '[DONE]']);
      res.end();
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), { ...request, stream_options: { include_usage: true, continuous_usage_stats: false } }, {});
    expect(stream.clientWantsUsage).toBe(true);
    await collect(stream);
    expect((JSON.parse(server.received[0]?.body ?? '') as Record<string, unknown>)['stream_options']).toEqual({ include_usage: true, continuous_usage_stats: false });
  });

  it('resolves only once content has arrived: firstByteMs is time to first content', async () => {
    let release: () => void = () => undefined;
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ role: 'assistant' })]);
      release = () => {
        writeEvents(res, [chunk({ content: 'late' }), '[DONE]']);
        res.end();
      };
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    let isResolved = false;
    const opening = client.chatStream(testDeployment(server.baseUrl), request, {}).then((s) => {
      isResolved = true;
      return s;
    });
    await server.nextRequest();
    await clock.advance(700);
    expect(isResolved).toBe(false);
    release();
    const stream = await opening;
    expect(stream.firstByteMs).toBe(700);
    expect((await collect(stream)).length).toBe(2);
  });

  it('a 200 whose first event is an error throws an http failure with the status from the error', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [': OPENROUTER PROCESSING', { error: { code: 429, message: 'Rate limit exceeded: free-models-per-min.', metadata: { headers: { 'X-RateLimit-Reset': '1767225660000' } } } }]);
      res.end();
    });
    client = createUpstreamClient();
    const failure = (await failureOf(client.chatStream(testDeployment(server.baseUrl, { dialect: 'openrouter' }), request, {}))).failure;
    if (failure.kind !== 'http') throw new Error(`expected http, got ${failure.kind}`);
    expect(failure.status).toBe(429);
    expect(failure.bodyText).toContain('free-models-per-min');
    expect(failure.signal.exhausted).toEqual({ period: 'short', resetAt: 1_767_225_660_000, name: 'free-models-per-min' });
  });

  it('an error event without a numeric code is a 502', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ role: 'assistant' }), { error: { message: 'upstream overloaded', type: 'server_error' } }]);
      res.end();
    });
    client = createUpstreamClient();
    expect((await failureOf(client.chatStream(testDeployment(server.baseUrl), request, {}))).failure).toMatchObject({ kind: 'http', status: 502 });
  });

  it('a non-2xx stream request fails like a JSON one', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 503, { error: { message: 'busy', type: 'server_error' } }, { 'retry-after': '3' }));
    client = createUpstreamClient();
    const failure = (await failureOf(client.chatStream(testDeployment(server.baseUrl), request, {}))).failure;
    expect(failure).toMatchObject({ kind: 'http', status: 503, signal: { retryAfterMs: 3000 } });
  });

  it('a stream that ends before any content is a protocol failure', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ role: 'assistant' })]);
      res.end();
    });
    client = createUpstreamClient();
    expect((await failureOf(client.chatStream(testDeployment(server.baseUrl), request, {}))).failure.kind).toBe('protocol');
  });

  it('a cut after content makes iteration throw, never end quietly', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'Once upon' }), chunk({ content: ' a time' })]);
      res.end();
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const seen: string[] = [];
    const failure = await failureOf(
      (async () => {
        for await (const piece of stream) seen.push(piece.choices[0]?.delta?.content ?? '');
      })(),
    );
    expect(seen).toEqual(['Once upon', ' a time']);
    expect(failure.failure.kind).toBe('protocol');
  });

  it('a dropped connection mid-stream throws a network failure', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'partial' })]);
      setImmediate(() => res.socket?.destroy());
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const failure = await failureOf(collect(stream));
    expect(failure.failure).toMatchObject({ kind: 'network', code: 'UND_ERR_SOCKET' });
  });

  it('an error event mid-stream (finish_reason "error") throws after the chunks before it', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'ok so far' }), chunk({ content: '' }, 'error'), '[DONE]']);
      res.end();
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    const iterator = stream[Symbol.asyncIterator]();
    expect(await nextContent(iterator)).toBe('ok so far');
    expect((await failureOf(iterator.next())).failure).toMatchObject({ kind: 'http', status: 502 });
  });

  it('a malformed event is a protocol failure', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, ['{"choices": [ {']);
      res.end();
    });
    client = createUpstreamClient();
    expect((await failureOf(client.chatStream(testDeployment(server.baseUrl), request, {}))).failure.kind).toBe('protocol');
  });

  it('JSON where a stream was asked for: an error body is an http failure', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { error: { code: 400, message: 'stream not supported' } }));
    client = createUpstreamClient();
    expect((await failureOf(client.chatStream(testDeployment(server.baseUrl), request, {}))).failure).toMatchObject({ kind: 'http', status: 400 });
  });
});

describe('chatStream deadlines and cancellation', () => {
  it('headers and a role chunk, then silence: the first-byte deadline covers the wait for content', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ role: 'assistant' })]);
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const outcome = failureOf(client.chatStream(testDeployment(server.baseUrl), request, { firstByteTimeoutMs: 2_000, idleTimeoutMs: 500 }));
    await server.nextRequest();
    const hangUp = server.nextHangUp();
    await clock.advance(2_000);
    expect((await outcome).failure).toEqual({ kind: 'timeout', phase: 'first-byte' });
    await hangUp;
  });

  it('a stall after content hits the idle deadline; chunks that keep coming push it back', async () => {
    let send: (text: string) => void = () => undefined;
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'a' })]);
      send = (text) => writeEvents(res, [chunk({ content: text })]);
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, { idleTimeoutMs: 1_000 });
    const iterator = stream[Symbol.asyncIterator]();
    expect(await nextContent(iterator)).toBe('a');

    await clock.advance(900);
    const second = nextContent(iterator);
    send('b');
    expect(await second).toBe('b');
    await clock.advance(900); // 1,800 ms since the start, but only 900 ms of silence

    const third = failureOf(iterator.next());
    await clock.advance(100);
    expect((await third).failure).toEqual({ kind: 'timeout', phase: 'idle' });
  });

  it('the client aborting mid-stream rejects iteration with its reason and the server sees the close', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'a' })]);
    });
    client = createUpstreamClient();
    const controller = new AbortController();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next().catch((e: unknown) => e);
    const hangUp = server.nextHangUp();
    controller.abort(new Error('client disconnected'));
    expect(await pending).toMatchObject({ message: 'client disconnected' });
    await hangUp;
  });

  it('an abort while waiting for content rejects the open', async () => {
    server = await startLoopbackServer((_req, res) => startEventStream(res));
    client = createUpstreamClient();
    const controller = new AbortController();
    const opening = client.chatStream(testDeployment(server.baseUrl), request, { signal: controller.signal }).catch((e: unknown) => e);
    await server.nextRequest();
    const hangUp = server.nextHangUp();
    controller.abort();
    expect(await opening).toMatchObject({ name: 'AbortError' });
    await hangUp;
  });

  it('cancel() and break both close the upstream request and end iteration quietly', async () => {
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [chunk({ content: 'a' }), chunk({ content: 'b' })]);
    });
    client = createUpstreamClient();
    const stream = await client.chatStream(testDeployment(server.baseUrl), request, {});
    let hangUp = server.nextHangUp();
    stream.cancel();
    expect(await stream[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    await hangUp;

    const again = await client.chatStream(testDeployment(server.baseUrl), request, {});
    hangUp = server.nextHangUp();
    for await (const _piece of again) break;
    await hangUp;
  });

  it('a chunk whose data spans lines is relayed as one line: its text is not kept', async () => {
    const split = JSON.stringify(chunk({ content: 'Hi' })).replace(',"choices"', '\ndata: ,"choices"');
    server = await startLoopbackServer((_req, res) => {
      startEventStream(res);
      writeEvents(res, [split, chunk({}, 'stop'), '[DONE]']);
      res.end();
    });
    client = createUpstreamClient();
    const chunks = await collect(await client.chatStream(testDeployment(server.baseUrl), request, {}));
    expect(chunks[0]?.choices[0]?.delta?.content).toBe('Hi');
    expect(jsonTextOf(chunks[0]!)).toBe(JSON.stringify(chunk({ content: 'Hi' })));
    expect(jsonTextOf(chunks[1]!)).toBe(JSON.stringify(chunk({}, 'stop')));
  });

  it('an already-aborted signal sends nothing', async () => {
    server = await startLoopbackServer(() => undefined);
    client = createUpstreamClient();
    await expect(client.chatStream(testDeployment(server.baseUrl), request, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.received).toHaveLength(0);
  });
});
