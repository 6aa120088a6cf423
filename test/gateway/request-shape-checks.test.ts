import { describe, expect, it } from 'vitest';
import { isValidChatBody, isValidEmbeddingsBody } from '../../src/gateway/request-shape-checks.js';
import { chatSchema, embeddingsSchema, validateChatRequest } from '../../src/gateway/validate-request.js';

/** Values a field may hold in a client's JSON (and a few only a program could send). */
const oddValues: unknown[] = [
  undefined, null, true, false, 0, -1, 1, 1.5, 2, 2.5, 3, 2 ** 60, Number.NaN, Infinity, '', 'x', 'float', 'base64', 'user',
  [], [1], [1.5], ['a'], ['a', 'b', 'c', 'd', 'e'], [[1, 2]], [['a']], [{ type: 'text' }], [{ type: 1 }], [null],
  {}, { type: 'text' }, { type: 1 }, { include_usage: true }, { include_usage: 'yes' },
  { role: 'user', content: 'hi' }, [{ role: 'user', content: 'hi' }], [{ role: 'robot', content: 'hi' }],
  [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], [{ role: 'user', content: [{ text: 'hi' }] }], [{ role: 'user', content: 5 }],
];

const chatFields = ['model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'n', 'tools', 'response_format', 'seed', 'stop', 'extra'];
const embeddingFields = ['model', 'input', 'encoding_format', 'dimensions', 'extra'];

const validChat = {
  model: 'auto',
  messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: null }],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 16,
  temperature: 0.7,
  top_p: 1,
  n: 1,
  tools: [{ type: 'function', function: { name: 'f' } }],
  response_format: { type: 'json_object' },
  seed: 7,
  stop: ['\n'],
  user: 'someone',
};

/** A seeded walk over bodies with one or two fields changed: every body the checks pass, zod must pass too. */
function* variants(base: Record<string, unknown>, fields: string[]): Generator<Record<string, unknown>> {
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const field of fields) for (const value of oddValues) yield { ...base, [field]: value };
  for (let i = 0; i < 3000; i++) {
    yield {
      ...base,
      [fields[next(fields.length)]!]: oddValues[next(oddValues.length)],
      [fields[next(fields.length)]!]: oddValues[next(oddValues.length)],
    };
  }
}

describe('request shape checks', () => {
  it('vouch for the usual bodies, so they skip zod', () => {
    expect(isValidChatBody(validChat)).toBe(true);
    expect(isValidChatBody({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toBe(true);
    expect(isValidEmbeddingsBody({ model: 'e', input: 'hello' })).toBe(true);
    expect(isValidEmbeddingsBody({ model: 'e', input: [[0.1, 0.2]], encoding_format: 'float', dimensions: 8 })).toBe(true);
  });

  it('never accept a chat body the schema refuses', () => {
    let vouched = 0;
    for (const body of variants(validChat, chatFields)) {
      if (!isValidChatBody(body)) continue;
      vouched += 1;
      expect(chatSchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
    }
    expect(vouched).toBeGreaterThan(100);
  });

  it('never accept an embeddings body the schema refuses', () => {
    let vouched = 0;
    for (const body of variants({ model: 'e', input: ['a', 'b'] }, embeddingFields)) {
      if (!isValidEmbeddingsBody(body)) continue;
      vouched += 1;
      expect(embeddingsSchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
    }
    expect(vouched).toBeGreaterThan(50);
  });

  it('leave the error to zod: same message and param as before', () => {
    const error = (() => {
      try {
        validateChatRequest({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 7 });
      } catch (caught) {
        return caught as { message: string; param: string };
      }
      return undefined;
    })();
    expect(error?.param).toBe('temperature');
    expect(error?.message).toMatch(/^Invalid value for 'temperature': /);
  });
});
