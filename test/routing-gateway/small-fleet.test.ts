// Routing on a small fleet with known latencies and small windows: auto:fast follows what the
// predictor learned, and a prompt beyond every window of `auto` is refused naming the largest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';
import { errorOf, longText, pickOf, post, user, type Explanation } from './routing-http.js';

// Same models on two providers, one ~100 times slower: no machine is loaded enough to invert that.
const fleetYaml = `
name: small
providers:
  - id: quick
    dialect: openai
    scope: key
    keys: [quick-key]
    latency: { ttftMs: 2, tokensPerSecond: 5000, jitter: 0 }
    models:
      - { id: tiny-1b, upstreamId: tiny-1b, contextWindow: 4096, maxOutputTokens: 1024, params: 1, tags: [json] }
      - { id: mid-24b, upstreamId: mid-24b, contextWindow: 8192, maxOutputTokens: 2048, params: 24, tags: [tools, json] }
  - id: slow
    dialect: openai
    scope: key
    keys: [slow-key]
    latency: { ttftMs: 250, tokensPerSecond: 100, jitter: 0 }
    models:
      - { id: tiny-1b, upstreamId: tiny-1b, contextWindow: 4096, maxOutputTokens: 1024, params: 1, tags: [json] }
      - { id: big-120b, upstreamId: big-120b, contextWindow: 8192, maxOutputTokens: 4096, params: 120, tags: [code, tools, json, reasoning] }
`;

let stack: Stack;
let chatUrl: string;
let routeUrl: string;

beforeAll(async () => {
  stack = await startStack({ fleetYaml, seed: 3 });
  chatUrl = `${stack.freeway.url}/v1/chat/completions`;
  routeUrl = `${stack.freeway.url}/v1/freeway/route`;
});
afterAll(async () => {
  await stack.close();
});

describe('auto:fast', () => {
  it('prefers the deployment the predictor has seen answer fastest', async () => {
    for (const model of ['quick/tiny-1b', 'slow/tiny-1b', 'quick/tiny-1b', 'slow/tiny-1b']) {
      expect((await post(chatUrl, { model, messages: user('Say hi'), max_tokens: 3 })).status).toBe(200);
    }
    const body = { model: 'auto:fast', messages: user('Say hi'), max_tokens: 3 };
    const explanation = (await post(routeUrl, body)).body as unknown as Explanation;
    expect(explanation.mode).toBe('latency');
    const quick = explanation.deployments.find((d) => d.id === 'quick/tiny-1b');
    const slow = explanation.deployments.find((d) => d.id === 'slow/tiny-1b');
    expect(quick?.rank).toBe(1);
    expect(quick?.score?.predictedMs).toBeLessThan(slow?.score?.predictedMs ?? 0);
    // Never-seen deployments (latency unknown, scored 0.5) still rank above the one known to be slow.
    expect(slow?.rank).toBe(explanation.candidates.length);

    const answer = await post(chatUrl, body);
    expect(answer.status).toBe(200);
    expect(pickOf(answer)).toBe('quick/tiny-1b');
    expect(answer.headers.get('x-freeway-provider')).toBe('quick');
  });
});

describe('auto and the context windows on offer', () => {
  it('grows past the small windows for a long prompt', async () => {
    const explanation = (await post(routeUrl, { model: 'auto', messages: user(`Summarize: ${longText(5_000)}`) })).body as unknown as Explanation;
    expect(explanation.candidates.map((c) => c.model)).not.toContain('tiny-1b');
    const tiny = explanation.deployments.filter((d) => d.model === 'tiny-1b');
    for (const d of tiny) expect(d.skipped).toMatch(/^context window 4096 < \d+ tokens needed$/);
  });

  it('refuses a prompt longer than every window, naming the largest on offer', async () => {
    const answer = await post(chatUrl, { model: 'auto', messages: user(longText(12_000)) });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({ code: 'context_length_exceeded', param: 'messages' });
    expect(errorOf(answer).message).toMatch(/largest context window on offer for 'auto' is 8192 tokens/);
    expect(Object.values(stack.fleet.stats().providers).every((p) => p.invalid === 0)).toBe(true);
  });
});
