/**
 * Failover at the HTTP level, against the simulated fleet's faults: the same model on another
 * provider first, then the next-best model; what may not be retried is not; x-freeway-attempts
 * counts the upstream calls the fleet really received.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { orderedAlias, startFaultStack, type FaultStack } from './support.js';

let stack: FaultStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const clientOf = (s: FaultStack) => new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'unused', maxRetries: 0 });
const ask = (s: FaultStack, model: string, extra: Record<string, unknown> = {}) =>
  clientOf(s)
    .chat.completions.create({ model, messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 16, ...extra })
    .withResponse();
const outage = { kind: 'outage', every: 1 };

describe('failover through the running gateway', () => {
  it('moves to the same model on another provider before a different model', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m', 'n'], faults: [outage] },
        { id: 'beta', models: ['m'] },
        { id: 'gamma', models: ['n'] },
      ],
      overrides: orderedAlias('pool', ['alpha/m', 'gamma/n', 'beta/m']),
    });
    const { data, response } = await ask(stack, 'pool');
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-freeway-provider')).toBe('beta');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(stack.callsAt('alpha')).toBe(1);
    expect(stack.callsAt('gamma')).toBe(0);
  });

  it('falls back to the next-best model when every provider of the first one fails', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'], faults: [outage] },
        { id: 'beta', models: ['m'], faults: [outage] },
        { id: 'gamma', models: ['n'] },
      ],
      overrides: orderedAlias('pool', ['alpha/m', 'gamma/n', 'beta/m']),
    });
    const { response } = await ask(stack, 'pool');
    expect(response.headers.get('x-freeway-provider')).toBe('gamma');
    expect(response.headers.get('x-freeway-model')).toBe('n');
    expect(response.headers.get('x-freeway-attempts')).toBe('3');
    expect([stack.callsAt('alpha'), stack.callsAt('beta'), stack.callsAt('gamma')]).toEqual([1, 1, 1]);
  });

  it('counts in x-freeway-attempts every upstream call the fleet received, retries included', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'], faults: [{ kind: 'server-error', status: 500, at: [1] }] },
        { id: 'beta', models: ['m'], faults: [{ kind: 'reset', at: [1] }] },
      ],
      overrides: { ...orderedAlias('pool', ['alpha/m', 'beta/m']), resilience: { maxAttempts: 4 } },
    });
    const { response } = await ask(stack, 'pool');
    const attempts = Number(response.headers.get('x-freeway-attempts'));
    expect(attempts).toBe(stack.callsAt('alpha') + stack.callsAt('beta'));
    expect(attempts).toBe(2);
  });

  it('returns an upstream 400 as the provider said it, without retrying anywhere', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: [{ id: 'm', maxOutputTokens: 100 }] },
        { id: 'beta', models: [{ id: 'm', maxOutputTokens: 100 }] },
      ],
      // The gateway believes the model writes 4000 tokens; the provider refuses more than 100.
      configure: (config) => config.providers.forEach((p) => p.models.forEach((m) => (m.maxOutputTokens = 4000))),
      overrides: orderedAlias('pool', ['alpha/m', 'beta/m']),
    });
    const error = await ask(stack, 'pool', { max_tokens: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.message).toContain('max_tokens must be an integer between 1 and 100');
    expect(apiError.param).toBe('max_tokens');
    expect(apiError.headers?.get('x-freeway-attempts')).toBe('1');
    expect(stack.callsAt('alpha') + stack.callsAt('beta')).toBe(1);
  });

  it('after context length exceeded, tries only models with a larger window', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: [{ id: 'm', contextWindow: 2_000 }] },
        { id: 'beta', models: [{ id: 'mid', contextWindow: 16_000 }] },
        { id: 'gamma', models: [{ id: 'big', contextWindow: 131_072 }] },
      ],
      // alpha claims a 32k window it does not have (a stale catalog): its 400 is the first news of it.
      configure: (config) => {
        const alpha = config.providers.find((p) => p.id === 'alpha');
        if (alpha?.models[0]) alpha.models[0].contextWindow = 32_000;
      },
      overrides: orderedAlias('pool', ['alpha/m', 'beta/mid', 'gamma/big']),
    });
    const prompt = 'lorem ipsum dolor sit amet '.repeat(800);
    const { response } = await clientOf(stack)
      .chat.completions.create({ model: 'pool', messages: [{ role: 'user', content: prompt }], max_tokens: 16 })
      .withResponse();
    expect(response.headers.get('x-freeway-provider')).toBe('gamma');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    expect(stack.callsAt('beta')).toBe(0);
  });

  it('answers context_length_exceeded when no larger window is left', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: [{ id: 'm', contextWindow: 2_000 }] },
        { id: 'beta', models: [{ id: 'm', contextWindow: 2_000 }] },
      ],
      configure: (config) => config.providers.forEach((p) => p.models.forEach((m) => (m.contextWindow = 32_000))),
      overrides: orderedAlias('pool', ['alpha/m', 'beta/m']),
    });
    const prompt = 'lorem ipsum dolor sit amet '.repeat(800);
    const error = await clientOf(stack)
      .chat.completions.create({ model: 'pool', messages: [{ role: 'user', content: prompt }], max_tokens: 16 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
    expect(stack.callsAt('beta')).toBe(0);
  });

  it('disables a key the provider refuses, shows it in state and logs it without the key', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'] },
        { id: 'beta', models: ['m'] },
      ],
      configure: (config) => {
        const alpha = config.providers.find((p) => p.id === 'alpha');
        if (alpha) alpha.apiKey = 'sk-wrong-key-0123456789';
      },
      overrides: orderedAlias('pool', ['alpha/m', 'beta/m']),
    });
    const first = await ask(stack, 'pool');
    expect(first.response.headers.get('x-freeway-provider')).toBe('beta');
    expect(first.response.headers.get('x-freeway-attempts')).toBe('2');
    const second = await ask(stack, 'pool');
    expect(second.response.headers.get('x-freeway-attempts')).toBe('1');
    expect(stack.fleet.stats().providers['alpha']?.unauthorized).toBe(1);

    const state = (await (await fetch(`${stack.url}/v1/freeway/state`)).json()) as {
      deployments: { id: string; keyDisabled: string | null }[];
    };
    expect(state.deployments.find((d) => d.id === 'alpha/m')?.keyDisabled).toMatch(/refused its API key/);
    expect(state.deployments.find((d) => d.id === 'beta/m')?.keyDisabled).toBeNull();
    const line = stack.logs.find((l) => l.includes('alpha'));
    expect(line).toMatch(/taken out of service/);
    expect(stack.logs.join('\n')).not.toContain('sk-wrong-key-0123456789');
    expect(JSON.stringify(state)).not.toContain('sk-wrong-key-0123456789');
  });

  it('fails over when the provider no longer serves the model (404)', async () => {
    stack = await startFaultStack({
      fleet: [
        { id: 'alpha', models: ['m'] },
        { id: 'beta', models: ['m'] },
      ],
      configure: (config) => {
        const alpha = config.providers.find((p) => p.id === 'alpha');
        if (alpha?.models[0]) alpha.models[0].upstreamId = 'm-retired';
      },
      overrides: orderedAlias('pool', ['alpha/m', 'beta/m']),
    });
    const { response } = await ask(stack, 'pool');
    expect(response.headers.get('x-freeway-provider')).toBe('beta');
    expect(response.headers.get('x-freeway-attempts')).toBe('2');
    const state = (await (await fetch(`${stack.url}/v1/freeway/state`)).json()) as {
      deployments: { id: string; breaker: unknown }[];
    };
    expect(JSON.stringify(state.deployments.find((d) => d.id === 'alpha/m'))).toContain('upstream_model_gone');
  });
});
