// Streams and the cache: a cached answer asked for with `stream: true` comes back as a proper SSE
// stream (role, content, finish, usage when asked, [DONE]); a streamed answer is stored once complete.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { CHAT_MODEL, chat, question, startGateway, startTestFleet, streamChat, upstreamCalls, type TestGateway } from './support.js';

type Choice = { delta?: { role?: string; content?: string | null }; finish_reason?: string | null };
const choiceOf = (chunk: Record<string, unknown>) => (chunk['choices'] as Choice[])[0];

describe('stream replay', () => {
  let fleet: RunningFleet;
  let gateway: TestGateway;
  beforeAll(async () => {
    fleet = await startTestFleet();
    gateway = await startGateway(fleet);
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  it('replays a cached JSON answer as SSE chunks with usage and [DONE]', async () => {
    const request = question('Replay me as a stream');
    const json = await chat(gateway.url, request);
    const before = await upstreamCalls(fleet);
    const replay = await streamChat(gateway.url, { ...request, stream_options: { include_usage: true } });
    expect(await upstreamCalls(fleet)).toBe(before);
    expect(replay.cache).toBe('hit');
    expect(replay.headers.get('content-type')).toContain('text/event-stream');
    expect(replay.headers.get('x-freeway-provider')).toBe('sim');
    expect(replay.done).toBe(true);
    expect(replay.chunks.every((c) => c['object'] === 'chat.completion.chunk' && c['model'] === CHAT_MODEL)).toBe(true);
    expect(choiceOf(replay.chunks[0]!)?.delta?.role).toBe('assistant');
    const choice = (json.body['choices'] as Array<{ message: { content: string }; finish_reason: string }>)[0]!;
    expect(replay.text).toBe(choice.message.content);
    const content = replay.chunks.filter((c) => (c['choices'] as unknown[]).length > 0);
    expect(choiceOf(content.at(-1)!)?.finish_reason).toBe(choice.finish_reason);
    // OpenAI's contract: the usage chunk comes last, with no choices.
    expect(replay.chunks.at(-1)).toMatchObject({ choices: [], usage: json.body['usage'] });
  });

  it('leaves the usage chunk out when the client did not ask for it', async () => {
    const request = question('Replay without usage');
    await chat(gateway.url, request);
    const replay = await streamChat(gateway.url, request);
    expect(replay.cache).toBe('hit');
    expect(replay.chunks.some((c) => c['usage'])).toBe(false);
    expect(replay.done).toBe(true);
  });

  it('stores a streamed answer once complete, for JSON and stream requests alike', async () => {
    const request = question('Stream me first');
    const streamed = await streamChat(gateway.url, { ...request, stream_options: { include_usage: true } });
    expect(streamed.cache).toBe('miss');
    const calls = await upstreamCalls(fleet);
    const json = await chat(gateway.url, request);
    expect(json.cache).toBe('hit');
    const choice = (json.body['choices'] as Array<{ message: { role: string; content: string }; finish_reason: string }>)[0]!;
    expect(choice.message).toMatchObject({ role: 'assistant', content: streamed.text });
    const finish = streamed.chunks.map((c) => (c['choices'] as Choice[])[0]?.finish_reason).find((reason) => reason);
    expect(choice.finish_reason).toBe(finish);
    expect(json.body['usage']).toEqual(streamed.chunks.at(-1)?.['usage']);
    expect((await streamChat(gateway.url, request)).text).toBe(streamed.text);
    expect(await upstreamCalls(fleet)).toBe(calls);
  });

  it('a replayed stream reads cleanly with the real openai client', async () => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const request = question('Read me with the SDK');
    await chat(gateway.url, request);
    const { data: stream, response } = await client.chat.completions
      .create({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'Read me with the SDK' }], temperature: 0, max_tokens: 24, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(response.headers.get('x-freeway-cache')).toBe('hit');
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toBeTruthy();
  });
});
