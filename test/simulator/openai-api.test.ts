/**
 * The fleet speaks the OpenAI API well enough for the real openai SDK: models, chat (JSON and SSE with
 * include_usage), embeddings.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFleet, startFleet, type RunningFleet } from '../../src/simulator/index.js';

let fleet: RunningFleet;
let client: OpenAI;
beforeAll(async () => {
  const spec = defaultFleet();
  // No latency for the test: the default fleet's tens of ms are for demos.
  for (const provider of spec.providers)
    for (const model of provider.models) model.latency = { ttftMs: 0, tokensPerSecond: 0, jitter: 0 };
  fleet = await startFleet({ providers: spec.providers.filter((p) => p.id === 'cloudflare') }, { seed: 9 });
  client = new OpenAI({ baseURL: fleet.providers[0]!.baseUrl, apiKey: fleet.providers[0]!.apiKeys[0]!, maxRetries: 0 });
});
afterAll(() => fleet.close());

describe('OpenAI API', () => {
  it('lists the upstream model ids', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('@cf/meta/llama-3.3-70b-instruct-fp8-fast');
  });

  it('streams with include_usage: usage chunk before [DONE], counts matching the content', async () => {
    const stream = await client.chat.completions.create({
      model: '@cf/meta/llama-3.1-8b-instruct-fp8',
      messages: [{ role: 'user', content: 'sim:tokens=12 stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(pieces).toHaveLength(12);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(12);
    const whole = await client.chat.completions.create({
      model: '@cf/meta/llama-3.1-8b-instruct-fp8',
      messages: [{ role: 'user', content: 'sim:tokens=12 stream please' }],
    });
    expect(whole.choices[0]!.message.content).toBe(pieces.join(''));
  });

  it('answers JSON mode with a JSON object', async () => {
    const completion = await client.chat.completions.create({
      model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      messages: [{ role: 'user', content: 'json' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toHaveProperty('answer');
  });

  it('embeds deterministically, one unit vector per input', async () => {
    const first = await client.embeddings.create({ model: '@cf/baai/bge-m3', input: ['alpha', 'beta'] });
    const again = await client.embeddings.create({ model: '@cf/baai/bge-m3', input: 'alpha' });
    expect(first.data).toHaveLength(2);
    expect(first.data[0]!.embedding).toHaveLength(1024);
    expect(again.data[0]!.embedding).toEqual(first.data[0]!.embedding);
    expect(Math.hypot(...first.data[0]!.embedding)).toBeCloseTo(1, 4);
    expect(first.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('refuses unknown models and canonical ids the provider does not serve under that name', async () => {
    await expect(
      client.chat.completions.create({ model: 'llama-3.3-70b', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
