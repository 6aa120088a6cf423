import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';

let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  client = new OpenAI({ baseURL: `${stack.freeway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => stack?.close());

const firstPooledModel = () => {
  const counts = new Map<string, number>();
  for (const p of stack.freeway.config.providers) for (const m of p.models ?? []) if (!m.tags.includes('embedding')) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  const pooled = [...counts].find(([, n]) => n >= 2);
  if (!pooled) throw new Error('the default fleet has no model served by two providers');
  return pooled[0];
};

describe('the real openai client against the running gateway', () => {
  it('gets a chat completion with the canonical model id and freeway headers', async () => {
    const model = firstPooledModel();
    const { data, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Say hello in five words' }], max_tokens: 20 })
      .withResponse();
    expect(data.model).toBe(model);
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(stack.fleet.providers.map((p) => p.id)).toContain(response.headers.get('x-freeway-provider'));
    expect(response.headers.get('x-freeway-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams with include_usage and ends cleanly', async () => {
    const model = firstPooledModel();
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Count from one to ten' }],
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usageSeen = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageSeen = true;
      expect(chunk.model).toBe(model);
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usageSeen).toBe(true);
  });

  it('pins a provider with provider/model', async () => {
    const model = firstPooledModel();
    const provider = stack.freeway.config.providers.find((p) => p.models?.some((m) => m.id === model))!;
    const { response, data } = await client.chat.completions
      .create({ model: `${provider.id}/${model}`, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 })
      .withResponse();
    expect(response.headers.get('x-freeway-provider')).toBe(provider.id);
    expect(data.model).toBe(`${provider.id}/${model}`);
  });

  it('streams a pinned model with every chunk, relayed unparsed or not, naming the model asked for', async () => {
    const model = firstPooledModel();
    const provider = stack.freeway.config.providers.find((p) => p.models?.some((m) => m.id === model))!;
    const stream = await client.chat.completions.create({
      model: `${provider.id}/${model}`,
      messages: [{ role: 'user', content: 'Write a "quoted" line,\nthen a tab\tand a backslash \\' }],
      max_tokens: 60,
      stream: true,
    });
    const models = new Set<string>();
    let chunks = 0;
    for await (const chunk of stream) {
      models.add(chunk.model);
      chunks += 1;
    }
    expect(chunks).toBeGreaterThan(5);
    expect([...models]).toEqual([`${provider.id}/${model}`]);
  });

  it('lists canonical models, pins and virtual models', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    const model = firstPooledModel();
    expect(ids).toContain(model);
    expect(ids).toContain('auto');
    expect(ids.some((id) => id.endsWith(`/${model}`))).toBe(true);
  });

  it('answers an unknown model with 404 model_not_found naming close ids', async () => {
    const model = firstPooledModel();
    const error = await client.chat.completions
      .create({ model: `${model}x`, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const apiError = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(apiError.code).toBe('model_not_found');
    expect(apiError.message).toContain(model);
  });

  it('rejects an invalid field with 400 and param', async () => {
    const error = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 7 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
  });

  it('calls tools through the gateway', async () => {
    const completion = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      max_tokens: 50,
    });
    expect(completion.choices[0]?.finish_reason).toBeDefined();
  });

  it('embeds through an embedding model', async () => {
    const embeddingModel = stack.freeway.config.providers.flatMap((p) => p.models ?? []).find((m) => m.tags.includes('embedding'))?.id;
    expect(embeddingModel).toBeDefined();
    const result = await client.embeddings.create({ model: embeddingModel!, input: ['hello', 'world'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding.length).toBeGreaterThan(0);
  });
});
