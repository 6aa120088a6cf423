/**
 * Safe streaming through the running gateway: nothing reaches the client before the upstream's
 * first content chunk, so a stream that breaks before it (a cut, or a 200 whose first event is an
 * error) fails over invisibly; one that breaks after it ends with an SSE error event in OpenAI's
 * shape and no [DONE], never as a silently truncated 200; a stream gone quiet hits the idle timeout.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { contentOf, orderedAlias, startFaultStack, streamChat, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const request = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'Tell me a story' }], max_tokens: 40 });
const roleChunks = (events: Record<string, unknown>[]) =>
  events.filter((e) => (e['choices'] as { delta?: { role?: string } }[] | undefined)?.[0]?.delta?.role === 'assistant').length;

async function startPair(alphaFaults: Record<string, unknown>[]): Promise<FaultStack> {
  return startFaultStack({
    fleet: [
      { id: 'alpha', models: ['m'], faults: alphaFaults },
      { id: 'beta', models: ['m'] },
    ],
    overrides: orderedAlias('pool', ['alpha/m', 'beta/m']),
  });
}

describe('streaming through the running gateway', () => {
  it('fails over invisibly when the stream is cut before its first content chunk', async () => {
    stack = await startPair([{ kind: 'stream-cut', afterTokens: 0, every: 1 }]);
    const read = await streamChat(stack.url, request('pool'));
    expect(read.status).toBe(200);
    expect(read.headers.get('x-freeway-provider')).toBe('beta');
    expect(Number(read.headers.get('x-freeway-attempts'))).toBe(stack.callsAt('alpha') + stack.callsAt('beta'));
    expect(read.sawDone).toBe(true);
    expect(roleChunks(read.events)).toBe(1);
    expect(read.events.some((e) => e['error'] !== undefined)).toBe(false);
    expect(contentOf(read.events).length).toBeGreaterThan(0);
  });

  it('treats a 200 whose first event is an error as a failure and fails over invisibly', async () => {
    stack = await startPair([{ kind: 'sse-error', every: 1 }]);
    const read = await streamChat(stack.url, request('pool'));
    expect(read.status).toBe(200);
    expect(read.headers.get('x-freeway-provider')).toBe('beta');
    expect(Number(read.headers.get('x-freeway-attempts'))).toBe(stack.callsAt('alpha') + stack.callsAt('beta'));
    expect(read.sawDone).toBe(true);
    expect(roleChunks(read.events)).toBe(1);
    expect(read.events.some((e) => e['error'] !== undefined)).toBe(false);
    expect(stack.fleet.stats().providers['alpha']?.faults['sse-error']).toBeGreaterThanOrEqual(1);
  });

  it('ends a stream cut after its first content with an error event in OpenAI shape and no [DONE]', async () => {
    stack = await startPair([{ kind: 'stream-cut', afterTokens: 3, every: 1 }]);
    const read = await streamChat(stack.url, request('alpha/m'));
    expect(read.status).toBe(200);
    expect(read.sawDone).toBe(false);
    expect(contentOf(read.events).length).toBeGreaterThan(0);
    const last = read.events.at(-1) as { error?: Record<string, unknown> };
    expect(last.error).toEqual({ message: expect.stringContaining('broke off') as unknown, type: 'api_error', code: 'upstream_stream_error', param: null });
  });

  it('makes the openai client throw on a stream cut after its first content', async () => {
    stack = await startPair([{ kind: 'stream-cut', afterTokens: 3, every: 1 }]);
    const client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await client.chat.completions.create({ ...request('alpha/m'), stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('broke off');
  });

  it('ends a stream that goes quiet mid-answer with an idle-timeout error event', async () => {
    stack = await startFaultStack({
      // Two tokens a second: the first content arrives, then half a second of silence per token.
      fleet: [{ id: 'alpha', models: ['m'], latency: { ttftMs: 5, tokensPerSecond: 2, jitter: 0 } }],
      overrides: { resilience: { idleTimeoutMs: 150 } },
    });
    const read = await streamChat(stack.url, request('alpha/m'));
    expect(read.status).toBe(200);
    expect(contentOf(read.events).length).toBeGreaterThan(0);
    expect(read.sawDone).toBe(false);
    expect((read.events.at(-1) as { error?: { code?: string } }).error?.code).toBe('upstream_stream_error');
    expect(JSON.stringify(read.events.at(-1))).toMatch(/stalled/);
  });
});
