/** The adapter's JSON calls against real loopback servers: shaping, signals, and every failure kind. */
import { Agent, errors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { jsonTextOf } from '../../src/core/parsed-json-text.js';
import { UpstreamFailureError } from '../../src/core/upstream-failure.js';
import { createUpstreamClient, type UpstreamClient } from '../../src/upstream/index.js';
import { sendJson, startLoopbackServer, type LoopbackServer } from './support/loopback-server.js';
import { TEST_API_KEY, testDeployment } from './support/test-deployment.js';

const completion = {
  id: 'chatcmpl-9',
  object: 'chat.completion',
  created: 1767225600,
  model: 'up-model-a',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
};

let server: LoopbackServer | undefined;
let client: UpstreamClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<UpstreamFailureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamFailureError);
  return error as UpstreamFailureError;
}

describe('chat (JSON)', () => {
  it('posts the shaped body to {baseUrl}/chat/completions and returns body, headers and signal', async () => {
    server = await startLoopbackServer((_req, res) =>
      sendJson(res, 200, completion, { 'x-ratelimit-remaining-requests': '14399', 'x-ratelimit-limit-requests': '14400', 'x-ratelimit-reset-requests': '6s' }),
    );
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const deployment = testDeployment(`${server.baseUrl}/`, { dialect: 'groq', headers: { 'HTTP-Referer': 'https://freeway.test' } });
    const answer = await client.chat(deployment, { model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: false, stream_options: { include_usage: true } }, {});

    expect(answer.status).toBe(200);
    // As the server sends it (the body carries the text it came as).
    expect(JSON.parse(jsonTextOf(answer.body))).toEqual(completion);
    expect(answer.headers['x-ratelimit-remaining-requests']).toBe('14399');
    expect(answer.signal.observations).toEqual([{ unit: 'requests', windowMs: 86_400_000, limit: 14_400, remaining: 14_399, resetAt: clock.now() + 6_000 }]);

    const received = server.received[0];
    expect(received?.method).toBe('POST');
    expect(received?.url).toBe('/v1/chat/completions');
    expect(received?.headers['authorization']).toBe(`Bearer ${TEST_API_KEY}`);
    expect(received?.headers['http-referer']).toBe('https://freeway.test');
    expect(received?.headers['content-type']).toBe('application/json');
    // The upstream id replaces the canonical one; stream fields never reach a JSON call.
    expect(JSON.parse(received?.body ?? '')).toEqual({ model: 'up-model-a', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('keeps the answer as it came, pretty-printed or not, for the server to send again', async () => {
    const pretty = JSON.stringify(completion, null, 2);
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, pretty));
    client = createUpstreamClient();
    const answer = await client.chat(testDeployment(server.baseUrl), { model: 'model-a', messages: [] }, {});
    expect(jsonTextOf(answer.body)).toBe(pretty);
    // Renaming the model (as the gateway does) is still seen: the text no longer names it, so it is serialised afresh.
    answer.body['model'] = 'model-a';
    expect(JSON.parse(jsonTextOf(answer.body))).toEqual({ ...completion, model: 'model-a' });
  });

  it('applies quirks: dropped params and the output-cap name', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, completion));
    client = createUpstreamClient();
    const deployment = testDeployment(server.baseUrl, { quirks: { dropParams: ['logit_bias', 'parallel_tool_calls'], maxTokensParam: 'max_completion_tokens' } });
    await client.chat(deployment, { model: 'x', messages: [], max_tokens: 64, logit_bias: { '50256': -100 }, parallel_tool_calls: false, temperature: 0 }, {});
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({ model: 'up-model-a', messages: [], max_completion_tokens: 64, temperature: 0 });

    const legacy = testDeployment(server.baseUrl, { quirks: { maxTokensParam: 'max_tokens' } });
    await client.chat(legacy, { messages: [], max_completion_tokens: 32 }, {});
    expect(JSON.parse(server.received[1]?.body ?? '')).toEqual({ model: 'up-model-a', messages: [], max_tokens: 32 });
  });

  it('keeps a base URL query (Azure api-version) after the path', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, completion));
    client = createUpstreamClient();
    await client.chat(testDeployment(`${server.origin}/openai/v1?api-version=2025-01-01`), { messages: [] }, {});
    expect(server.received[0]?.url).toBe('/openai/v1/chat/completions?api-version=2025-01-01');
  });

  it('a 429 throws an http failure with the body, headers and parsed signal; the key never appears', async () => {
    const body = {
      error: {
        message: `Rate limit reached for gpt-4o on requests per min (RPM): Limit 3. Please try again in 20s. Key: ${TEST_API_KEY}`,
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
    };
    server = await startLoopbackServer((_req, res) => sendJson(res, 429, body, { 'x-ratelimit-remaining-requests': '0' }));
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const error = await failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, {}));
    expect(error.deploymentId).toBe('test/model-a');
    const failure = error.failure;
    if (failure.kind !== 'http') throw new Error(`expected http, got ${failure.kind}`);
    expect(failure.status).toBe(429);
    expect(failure.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(failure.bodyText).toContain('rate_limit_exceeded');
    expect(failure.bodyText).not.toContain(TEST_API_KEY);
    expect(failure.signal.retryAfterMs).toBe(20_000);
    expect(failure.signal.exhausted).toEqual({ period: 'short', resetAt: clock.now() + 20_000, name: 'rate_limit_exceeded' });
    expect(error.message).not.toContain(TEST_API_KEY);
  });

  it('caps a huge error body', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 500, 'x'.repeat(200_000), { 'content-type': 'text/plain' }));
    client = createUpstreamClient();
    const failure = (await failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, {}))).failure;
    expect(failure.kind === 'http' && failure.bodyText.length).toBe(16 * 1024);
  });

  it('a 200 carrying an error object is an http failure with the error code as status', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, { error: { code: 429, message: 'Rate limit exceeded: free-models-per-day', metadata: { headers: { 'X-RateLimit-Reset': '1767312000000' } } } }));
    client = createUpstreamClient();
    const failure = (await failureOf(client.chat(testDeployment(server.baseUrl, { dialect: 'openrouter' }), { messages: [] }, {}))).failure;
    expect(failure.kind).toBe('http');
    if (failure.kind !== 'http') return;
    expect(failure.status).toBe(429);
    expect(failure.signal.exhausted).toMatchObject({ period: 'day', resetAt: 1_767_312_000_000 });
  });

  it('malformed JSON is a protocol failure', async () => {
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, '{"id":"chatcmpl-1","choices":[{'));
    client = createUpstreamClient();
    const failure = (await failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, {}))).failure;
    expect(failure.kind).toBe('protocol');
  });

  it('a refused connection is a network failure with its code', async () => {
    server = await startLoopbackServer(() => undefined);
    const baseUrl = server.baseUrl;
    await server.close();
    server = undefined;
    client = createUpstreamClient();
    const failure = (await failureOf(client.chat(testDeployment(baseUrl), { messages: [] }, {}))).failure;
    expect(failure).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
    expect(failure.kind === 'network' && failure.message).not.toContain(TEST_API_KEY);
  });

  it('a connect timeout from the (injected) dispatcher is a timeout in the connect phase', async () => {
    server = await startLoopbackServer(() => undefined);
    const dispatcher = new Agent({ connect: (_options, callback) => callback(new errors.ConnectTimeoutError(), null) });
    client = createUpstreamClient({ dispatcher });
    const failure = (await failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, {}))).failure;
    expect(failure).toEqual({ kind: 'timeout', phase: 'connect' });
    expect(server.received).toHaveLength(0);
    await dispatcher.close();
  });

  it('a server that never answers hits the first-byte deadline on the injected clock, and the request is dropped', async () => {
    server = await startLoopbackServer(() => undefined);
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const outcome = failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, { firstByteTimeoutMs: 5_000, totalTimeoutMs: 60_000 }));
    await server.nextRequest();
    const hangUp = server.nextHangUp();
    await clock.advance(4_999);
    await clock.advance(1);
    expect((await outcome).failure).toEqual({ kind: 'timeout', phase: 'first-byte' });
    await hangUp;
  });

  it('concurrent calls keep their own deadlines, and a finished call never times out', async () => {
    server = await startLoopbackServer((req, res) => {
      if (req.body.includes('"fast"')) sendJson(res, 200, completion);
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const deployment = testDeployment(server.baseUrl);
    let slowFailure: UpstreamFailureError | undefined;
    const late = failureOf(client.chat(deployment, { messages: [] }, { firstByteTimeoutMs: 3_000 })).then((f) => (slowFailure = f));
    const early = failureOf(client.chat(deployment, { messages: [] }, { firstByteTimeoutMs: 1_000 }));
    const fast = await client.chat(deployment, { messages: [], user: 'fast' }, { firstByteTimeoutMs: 500, idleTimeoutMs: 500 });
    expect(fast.status).toBe(200);
    await clock.advance(1_000);
    expect((await early).failure).toEqual({ kind: 'timeout', phase: 'first-byte' });
    expect(slowFailure).toBeUndefined();
    await clock.advance(2_000);
    expect((await late).failure).toEqual({ kind: 'timeout', phase: 'first-byte' });
  });

  it('the total deadline covers a slow body', async () => {
    server = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"chatcmpl-1",');
    });
    const clock = new ManualClock();
    client = createUpstreamClient({ clock });
    const outcome = failureOf(client.chat(testDeployment(server.baseUrl), { messages: [] }, { idleTimeoutMs: 10_000, totalTimeoutMs: 3_000 }));
    await server.nextRequest();
    await clock.advance(3_000);
    expect((await outcome).failure).toEqual({ kind: 'timeout', phase: 'total' });
  });

  it('the client aborting rejects with its reason and closes the upstream request', async () => {
    server = await startLoopbackServer(() => undefined);
    client = createUpstreamClient();
    const controller = new AbortController();
    const outcome = client.chat(testDeployment(server.baseUrl), { messages: [] }, { signal: controller.signal }).catch((e: unknown) => e);
    await server.nextRequest();
    const hangUp = server.nextHangUp();
    controller.abort(new Error('client went away'));
    expect(await outcome).toMatchObject({ message: 'client went away' });
    await hangUp;
  });
});

describe('embeddings and model listing', () => {
  it('posts embeddings to {baseUrl}/embeddings with the upstream model id', async () => {
    const body = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], model: 'up-model-a', usage: { prompt_tokens: 2, total_tokens: 2 } };
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, body));
    client = createUpstreamClient();
    const answer = await client.embeddings(testDeployment(server.baseUrl), { model: 'model-a', input: 'hi' }, {});
    // As the server sends it (the body carries the text it came as).
    expect(JSON.parse(jsonTextOf(answer.body))).toEqual(body);
    expect(server.received[0]?.url).toBe('/v1/embeddings');
    expect(JSON.parse(server.received[0]?.body ?? '')).toEqual({ model: 'up-model-a', input: 'hi' });
  });

  it('lists models with GET {baseUrl}/models, with or without a key', async () => {
    const list = { object: 'list', data: [{ id: 'llama-3.3-70b-versatile', object: 'model' }] };
    server = await startLoopbackServer((_req, res) => sendJson(res, 200, list));
    client = createUpstreamClient();
    expect(await client.listModels(server.baseUrl, 'sk-list-key-123456', {})).toEqual(list);
    expect(await client.listModels(server.baseUrl, undefined, {})).toEqual(list);
    expect(server.received.map((r) => [r.method, r.url, r.headers['authorization']])).toEqual([
      ['GET', '/v1/models', 'Bearer sk-list-key-123456'],
      ['GET', '/v1/models', undefined],
    ]);
  });

  it('reuses one keep-alive connection per origin', async () => {
    const sockets = new Set<unknown>();
    server = await startLoopbackServer((_req, res, raw) => {
      sockets.add(raw.socket);
      sendJson(res, 200, completion);
    });
    client = createUpstreamClient();
    for (let i = 0; i < 10; i++) await client.chat(testDeployment(server.baseUrl), { messages: [] }, {});
    // undici may open a second socket while the first is being released; it never opens one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });
});
