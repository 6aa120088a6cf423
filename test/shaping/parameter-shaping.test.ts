// Parameter profiles end to end: simulated providers refuse parameters with their real 400 bodies;
// Freeway strips or clamps, retries on the same deployment, remembers, and shows what it changed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';

const fleetYaml = `
providers:
  - id: strictco
    dialect: openai
    admission: usage
    rejects: { logprobs: true, temperature: { max: 1 } }
    models:
      - { id: m1, upstreamId: m1-up }
  - id: fussyq
    dialect: groq
    rejects: { n: { max: 1 }, seed: true }
    models:
      - { id: m2, upstreamId: m2-up }
  - id: cerebrum
    dialect: cerebras
    admission: usage
    rejects: { frequency_penalty: true, stop: { maxItems: 2 } }
    models:
      - { id: m3, upstreamId: m3-up }
  - id: gemmy
    dialect: gemini
    rejects: { top_p: { max: 0.9 } }
    models:
      - { id: m4, upstreamId: m4-up }
`;

const toolsFleet = `
providers:
  - id: notools
    dialect: openai
    admission: usage
    rejects: { tools: true }
    models:
      - { id: shared, upstreamId: shared-a, tags: [tools], params: 70 }
  - id: hastools
    dialect: openai
    admission: usage
    models:
      - { id: shared, upstreamId: shared-b, tags: [tools], params: 70 }
  - id: onlyno
    dialect: openai
    admission: usage
    rejects: { tools: true }
    models:
      - { id: lonely, upstreamId: lonely-a, tags: [tools] }
`;

const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
const stacks: Stack[] = [];
afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
});

async function chat(stack: Stack, body: Record<string, unknown>) {
  const response = await fetch(`${stack.freeway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say something short' }], max_tokens: 20, ...body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const invalidAt = (stack: Stack, provider: string) => stack.fleet.stats().providers[provider]?.invalid ?? 0;

describe('parameter profiles', () => {
  it('one failed call, then never again (OpenAI body naming the parameter)', async () => {
    const stack = await startStack({ fleetYaml });
    stacks.push(stack);
    const first = await chat(stack, { model: 'm1', temperature: 1.7 });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-freeway-shaped')).toBe('temperature=1.7->1');
    expect(first.headers.get('x-freeway-provider')).toBe('strictco');
    expect(invalidAt(stack, 'strictco')).toBe(1);
    for (let i = 0; i < 3; i++) {
      const again = await chat(stack, { model: 'm1', temperature: 1.5, messages: [{ role: 'user', content: `again ${i}` }] });
      expect(again.status).toBe(200);
      expect(again.headers.get('x-freeway-shaped')).toBe('temperature=1.5->1');
    }
    expect(invalidAt(stack, 'strictco')).toBe(1);
    // A value inside the range is sent as it is, with no header.
    const fine = await chat(stack, { model: 'm1', temperature: 0.5 });
    expect(fine.headers.get('x-freeway-shaped')).toBeNull();
  });

  it('learns two refused parameters in one request, one retry each', async () => {
    const stack = await startStack({ fleetYaml });
    stacks.push(stack);
    const first = await chat(stack, { model: 'm1', temperature: 2, logprobs: true, top_logprobs: 3 });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-freeway-shaped')).toBe('logprobs=dropped; temperature=2->1; top_logprobs=dropped');
    expect(invalidAt(stack, 'strictco')).toBe(2);
    await chat(stack, { model: 'm1', temperature: 2, logprobs: true });
    expect(invalidAt(stack, 'strictco')).toBe(2);
  });

  it('reads Groq, Cerebras and Gemini bodies (message only, top-level fields, ranges in words)', async () => {
    const stack = await startStack({ fleetYaml });
    stacks.push(stack);
    const groq = await chat(stack, { model: 'm2', n: 3, seed: 42 });
    expect(groq.status).toBe(200);
    expect(groq.headers.get('x-freeway-shaped')).toBe('n=3->1; seed=dropped');
    const cerebras = await chat(stack, { model: 'm3', frequency_penalty: 0.5, stop: ['a', 'b', 'c', 'd'] });
    expect(cerebras.status).toBe(200);
    expect(cerebras.headers.get('x-freeway-shaped')).toBe('frequency_penalty=dropped; stop=4->2 items');
    const gemini = await chat(stack, { model: 'm4', top_p: 0.99 });
    expect(gemini.status).toBe(200);
    expect(gemini.headers.get('x-freeway-shaped')).toBe('top_p=0.99->0.9');
    const totalInvalid = () => ['fussyq', 'cerebrum', 'gemmy'].reduce((sum, id) => sum + invalidAt(stack, id), 0);
    const before = totalInvalid();
    await chat(stack, { model: 'm2', n: 2, seed: 1 });
    await chat(stack, { model: 'm3', frequency_penalty: 1, stop: ['x', 'y', 'z'] });
    await chat(stack, { model: 'm4', top_p: 1 });
    expect(totalInvalid()).toBe(before);
  });

  it('streams are shaped the same way', async () => {
    const stack = await startStack({ fleetYaml });
    stacks.push(stack);
    const streamed = await chat(stack, { model: 'm1', temperature: 1.9, stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('x-freeway-shaped')).toBe('temperature=1.9->1');
    expect(streamed.text).toContain('data: [DONE]');
  });

  it('the lesson survives a restart and shows in /v1/freeway/state', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'freeway-shaping-'));
    const overrides = { shaping: { statePath: join(directory, 'shaping.json') } };
    const first = await startStack({ fleetYaml, overrides });
    stacks.push(first);
    expect((await chat(first, { model: 'm1', logprobs: true })).status).toBe(200);
    const state = (await (await fetch(`${first.freeway.url}/v1/freeway/state`)).json()) as {
      shaping: { profiles: { provider: string; rules: Record<string, unknown>; learned: { param: string; evidence: string }[] }[] };
    };
    const profile = state.shaping.profiles.find((p) => p.provider === 'strictco');
    expect(profile?.rules).toEqual({ logprobs: { action: 'drop' } });
    expect(profile?.learned[0]?.evidence).toContain('Unrecognized request argument supplied: logprobs');
    await first.close();
    stacks.splice(0);

    const second = await startStack({ fleetYaml, overrides });
    stacks.push(second);
    const answer = await chat(second, { model: 'm1', logprobs: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-freeway-shaped')).toBe('logprobs=dropped');
    expect(invalidAt(second, 'strictco')).toBe(0);
  });

  it('with shaping.strip false the provider 400 reaches the caller unchanged', async () => {
    const stack = await startStack({ fleetYaml, overrides: { shaping: { strip: false } } });
    stacks.push(stack);
    const answer = await chat(stack, { model: 'm1', temperature: 1.7 });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Invalid value for 'temperature'");
  });

  it('hard needs are never stripped: tools reroute to a deployment that has them, or get a clear 400', async () => {
    const stack = await startStack({ fleetYaml: toolsFleet });
    stacks.push(stack);
    for (let i = 0; i < 4; i++) {
      const answer = await chat(stack, { model: 'shared', tools, messages: [{ role: 'user', content: `call a tool ${i}` }] });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-freeway-provider')).toBe('hastools');
      expect(answer.headers.get('x-freeway-shaped')).toBeNull();
    }
    expect(invalidAt(stack, 'notools')).toBeLessThanOrEqual(1);
    expect(stack.fleet.stats().providers['hastools']?.completed).toBe(4);

    const first = await chat(stack, { model: 'lonely', tools });
    expect(first.status).toBe(400);
    const second = await chat(stack, { model: 'lonely', tools });
    expect(second.status).toBe(400);
    expect((second.json()['error'] as { message: string; param: string }).param).toBe('tools');
    expect((second.json()['error'] as { message: string }).message).toContain("accepts 'tools'");
    expect(invalidAt(stack, 'onlyno')).toBe(1);
    // The same model without tools still serves.
    expect((await chat(stack, { model: 'lonely' })).status).toBe(200);
  });

  it('sampling defaults by task apply only to parameters the caller did not set', async () => {
    const stack = await startStack({ fleetYaml, overrides: { shaping: { defaults: { code: { temperature: 0.2 } } } } });
    stacks.push(stack);
    const code = [{ role: 'user', content: 'Write a python function that reverses a string, and a unit test for it.' }];
    const unset = await chat(stack, { model: 'm1', messages: code });
    expect(unset.headers.get('x-freeway-shaped')).toBe('temperature=default:0.2');
    const set = await chat(stack, { model: 'm1', messages: code, temperature: 0.9 });
    expect(set.headers.get('x-freeway-shaped')).toBeNull();
    const chatty = await chat(stack, { model: 'm1', messages: [{ role: 'user', content: 'How are you today?' }] });
    expect(chatty.headers.get('x-freeway-shaped')).toBeNull();
  });
});
