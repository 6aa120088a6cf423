import { describe, expect, it } from 'vitest';
import { computeCacheKey } from '../../src/cache/index.js';

const base = {
  model: 'llama-3.3-70b',
  messages: [{ role: 'user', content: 'What is 2+2?' }],
  temperature: 0,
  max_tokens: 64,
};

describe('computeCacheKey', () => {
  it('is a SHA-256 hex digest, equal for equal requests', () => {
    const key = computeCacheKey(base, 'llama-3.3-70b', 'chat');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(computeCacheKey(structuredClone(base), 'llama-3.3-70b', 'chat')).toBe(key);
  });

  it('ignores key order at every depth', () => {
    const reordered = {
      max_tokens: 64,
      temperature: 0,
      messages: [{ content: 'What is 2+2?', role: 'user' }],
      model: 'llama-3.3-70b',
    };
    expect(computeCacheKey(reordered, 'llama-3.3-70b', 'chat')).toBe(computeCacheKey(base, 'llama-3.3-70b', 'chat'));
  });

  it('ignores transport and bookkeeping fields', () => {
    const key = computeCacheKey(base, 'llama-3.3-70b', 'chat');
    const noisy = { ...base, stream: true, stream_options: { include_usage: true }, user: 'u-1', metadata: { trace: 'x' }, temperature: 0 };
    expect(computeCacheKey(noisy, 'llama-3.3-70b', 'chat')).toBe(key);
    expect(computeCacheKey({ ...base, seed: null }, 'llama-3.3-70b', 'chat')).toBe(key);
  });

  it('treats max_tokens and max_completion_tokens as the same field', () => {
    const { max_tokens: _dropped, ...rest } = base;
    expect(computeCacheKey({ ...rest, max_completion_tokens: 64 }, 'llama-3.3-70b', 'chat')).toBe(
      computeCacheKey(base, 'llama-3.3-70b', 'chat'),
    );
  });

  it('uses the resolved model, not the one in the body', () => {
    const key = computeCacheKey(base, 'llama-3.3-70b', 'chat');
    expect(computeCacheKey({ ...base, model: 'groq/llama-3.3-70b' }, 'llama-3.3-70b', 'chat')).toBe(key);
    expect(computeCacheKey(base, 'qwen-2.5-72b', 'chat')).not.toBe(key);
  });

  it.each([
    ['messages', { messages: [{ role: 'user', content: 'What is 3+3?' }] }],
    ['message order', { messages: [{ role: 'system', content: 'a' }, { role: 'user', content: 'b' }] }],
    ['temperature', { temperature: 0.2 }],
    ['top_p', { top_p: 0.5 }],
    ['seed', { seed: 7 }],
    ['max_tokens', { max_tokens: 65 }],
    ['stop', { stop: ['\n'] }],
    ['n', { n: 2 }],
    ['presence_penalty', { presence_penalty: 1 }],
    ['frequency_penalty', { frequency_penalty: 1 }],
    ['logit_bias', { logit_bias: { '50256': -100 } }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['an unknown field', { reasoning_effort: 'high' }],
  ])('changes with %s', (_name, change) => {
    expect(computeCacheKey({ ...base, ...change }, 'llama-3.3-70b', 'chat')).not.toBe(computeCacheKey(base, 'llama-3.3-70b', 'chat'));
  });

  it('separates chat from embeddings', () => {
    const body = { model: 'm', input: 'hello' };
    expect(computeCacheKey(body, 'm', 'embedding')).not.toBe(computeCacheKey(body, 'm', 'chat'));
    expect(computeCacheKey({ ...body, encoding_format: 'base64' }, 'm', 'embedding')).not.toBe(computeCacheKey(body, 'm', 'embedding'));
  });
});
