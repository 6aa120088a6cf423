import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.close());

const provider = () => createOpenAICompatible({ name: 'freeway', baseURL: `${stack.freeway.url}/v1`, apiKey: 'unused', includeUsage: true });

describe('the Vercel AI SDK against the running gateway', () => {
  it('generates text with auto', async () => {
    const result = await generateText({ model: provider()('auto'), prompt: 'Write a haiku about roads', maxOutputTokens: 30, maxRetries: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBeGreaterThan(0);
  });

  it('streams text with auto:fast', async () => {
    const result = streamText({ model: provider()('auto:fast'), prompt: 'List three colours', maxOutputTokens: 30, maxRetries: 0 });
    let text = '';
    for await (const part of result.textStream) text += part;
    expect(text.length).toBeGreaterThan(0);
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
  });
});
