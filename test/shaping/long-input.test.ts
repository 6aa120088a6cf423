// Inputs longer than every window: refuse (the default), truncate, and map-reduce over a ~200k-token
// document on a fleet whose largest window is 32k, against the simulator with real HTTP.
import { countTokens } from 'gpt-tokenizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';

const fleetYaml = `
providers:
  - id: bigctx
    dialect: groq
    models:
      - id: reader
        upstreamId: reader-32k
        contextWindow: 32768
        maxOutputTokens: 4096
        params: 70
        limits:
          - { tokens: 200000, per: minute }
          - { requests: 60, per: minute }
  - id: smallctx
    dialect: openai
    admission: usage
    models:
      - id: reader
        upstreamId: reader-16k
        contextWindow: 16384
        maxOutputTokens: 2048
        params: 70
        limits:
          - { tokens: 60000, per: minute }
      - id: embedder
        upstreamId: embed-8k
        kind: embedding
        contextWindow: 8192
        tags: [embedding]
`;

const words =
  'the of and a to in is it that was he for on are as with his they at be this from I have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know'.split(
    ' ',
  );

/** Plain English-like text whose gpt-tokenizer count is close to the simulator's (4 characters a token). */
function document(tokens: number): string {
  let state = 7;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const sentence = () => {
    const text = Array.from({ length: 8 + Math.floor(random() * 10) }, () => words[Math.floor(random() * words.length)]).join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}${random() < 0.5 ? ', then' : ''}.`;
  };
  const paragraphs: string[] = [];
  let count = 0;
  while (count < tokens) {
    const paragraph = Array.from({ length: 6 }, sentence).join(' ');
    paragraphs.push(paragraph);
    count += countTokens(paragraph) + 2;
  }
  return paragraphs.join('\n\n');
}

let stack: Stack;
let longDocument: string;
beforeAll(async () => {
  longDocument = document(200_000);
  stack = await startStack({ fleetYaml, timeScale: 20 });
});
afterAll(async () => {
  await stack.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.freeway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-freeway-max-wait-ms': '900000', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const summarise = (extra: Record<string, unknown> = {}) => ({
  model: 'reader',
  messages: [
    { role: 'system', content: 'You are a careful reader.' },
    { role: 'user', content: `Summarise the following document in five sentences.\n\n${longDocument}` },
  ],
  ...extra,
});

function expectFleetClean() {
  const stats = stack.fleet.stats();
  for (const provider of Object.values(stats.providers)) {
    expect(provider.invalid).toBe(0); // no chunk was over a window (the simulator answers those with a 400)
    expect(provider.rejected).toBe(0); // no upstream 429
  }
  expect(stats.violations).toBe(0);
}

describe('long inputs', () => {
  it('the document really is ~200k tokens, beyond every window', () => {
    expect(countTokens(longDocument)).toBeGreaterThan(195_000);
  });

  it('refuse (the default) answers the 400 naming the largest window', async () => {
    const answer = await post('/v1/chat/completions', summarise());
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('context_length_exceeded');
    expect(answer.text).toContain('32768');
  });

  it('an unknown mode is a clear 400', async () => {
    const answer = await post('/v1/chat/completions', summarise(), { 'x-freeway-long-input': 'squeeze' });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('x-freeway-long-input');
  });

  it('map-reduce (JSON): every chunk call fits, the answer arrives, usage summed, attempts count every call', async () => {
    const before = stack.fleet.stats().providers['bigctx']?.completed ?? 0;
    const answer = await post('/v1/chat/completions', summarise(), { 'x-freeway-long-input': 'map-reduce' });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; total_tokens: number } };
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    const parts = Number(/input=map-reduce:(\d+) parts/.exec(answer.headers.get('x-freeway-shaped') ?? '')?.[1]);
    expect(parts).toBeGreaterThanOrEqual(7);
    expect(Number(answer.headers.get('x-freeway-attempts'))).toBeGreaterThanOrEqual(parts + 1);
    const stats = stack.fleet.stats();
    const calls = (stats.providers['bigctx']?.completed ?? 0) - before + (stats.providers['smallctx']?.completed ?? 0);
    expect(calls).toBe(parts + 1);
    // Every token of the document was read once, in some chunk: usage covers it all.
    expect(body.usage.prompt_tokens).toBeGreaterThan(190_000);
    expectFleetClean();
  });

  it('map-reduce (SSE): the final answer streams, its usage chunk sums every call', async () => {
    const answer = await post('/v1/chat/completions', summarise({ stream: true, stream_options: { include_usage: true } }), { 'x-freeway-long-input': 'map-reduce' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/event-stream');
    const events = answer.text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const usage = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as { usage?: { prompt_tokens: number } })
      .findLast((c) => c.usage)?.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(190_000);
    expectFleetClean();
  });

  it('truncate keeps the system prompt and the end, cutting the middle', async () => {
    const answer = await post('/v1/chat/completions', summarise({ max_tokens: 200 }), { 'x-freeway-long-input': 'truncate' });
    expect(answer.status).toBe(200);
    const shaped = answer.headers.get('x-freeway-shaped') ?? '';
    const [, before, after] = /input=truncated:(\d+)->(\d+) tokens/.exec(shaped) ?? [];
    expect(Number(before)).toBeGreaterThan(195_000);
    expect(Number(after)).toBeLessThan(32_768);
    expectFleetClean();
  });

  it('a conversation that fits is never touched, whatever the header', async () => {
    const answer = await post('/v1/chat/completions', { model: 'reader', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 10 }, { 'x-freeway-long-input': 'map-reduce' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-freeway-shaped')).toBeNull();
    expect(answer.headers.get('x-freeway-attempts')).toBe('1');
  });

  it('embeddings longer than the window: a clear 400, or truncated on request', async () => {
    const input = document(20_000);
    const refused = await post('/v1/embeddings', { model: 'embedder', input });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('8192');
    const truncated = await post('/v1/embeddings', { model: 'embedder', input: [input, 'short'] }, { 'x-freeway-long-input': 'truncate' });
    expect(truncated.status).toBe(200);
    expect((JSON.parse(truncated.text) as { data: unknown[] }).data).toHaveLength(2);
    expect(truncated.headers.get('x-freeway-shaped')).toMatch(/^input=truncated:\d+ tokens$/);
  });
});
