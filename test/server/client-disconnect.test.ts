/**
 * A client cancels an HTTP/1.1 request by closing its connection: the gateway must then stop the
 * upstream call, and a keep-alive connection serving many requests must not collect a listener
 * per request on the signal that carries that close (the signal is per connection).
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/start-stack.js';

const FLEET = `
providers:
  - id: slow
    dialect: openai
    keys: [sim-slow-key]
    latency: { ttftMs: 20000, tokensPerSecond: 0, jitter: 0 }
    models:
      - id: slow-model
        contextWindow: 32768
  - id: quick
    dialect: openai
    keys: [sim-quick-key]
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    models:
      - id: quick-model
        contextWindow: 32768
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ fleetYaml: FLEET, overrides: { resilience: { hedging: { enabled: false } } } });
});
afterAll(async () => stack?.close());

const chatBody = (model: string, stream = false) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 8, ...(stream ? { stream: true } : {}) });

const accepted = (provider: string): number => stack.fleet.stats().providers[provider]?.accepted ?? 0;

const recentOutcomes = async (): Promise<{ model: string; outcome: string }[]> => {
  const state = (await (await fetch(`${stack.freeway.url}/v1/freeway/state`)).json()) as { recentRequests: { model: string; outcome: string }[] };
  return state.recentRequests;
};

describe('a client that closes its connection', () => {
  for (const stream of [false, true]) {
    it(`ends its ${stream ? 'streaming' : 'JSON'} request as client_closed while the provider is still working`, async () => {
      const before = accepted('slow');
      const outcomesBefore = (await recentOutcomes()).filter((r) => r.outcome === 'client_closed').length;
      const request = httpRequest(`${stack.freeway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      request.on('error', () => {}); // the destroy below
      request.end(chatBody('slow-model', stream));
      await eventually(() => accepted('slow'), (n) => n > before, { what: 'the slow provider accepting the call' });
      request.destroy();
      const outcomes = await eventually(recentOutcomes, (r) => r.filter((x) => x.outcome === 'client_closed').length > outcomesBefore, {
        what: 'the request logged as client_closed',
      });
      expect(outcomes[0]).toMatchObject({ model: 'slow-model', outcome: 'client_closed' });
    });
  }
});

describe('one keep-alive connection', () => {
  it('serves many requests of every kind without collecting abort listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const connection = new Pool(stack.freeway.url, { connections: 1 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) {
        for (const body of [chatBody('quick-model'), chatBody('quick-model', true), '{"model":"quick-model"}']) {
          const answer = await connection.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await answer.body.text();
          statuses.push(answer.statusCode);
        }
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      expect(statuses.filter((s) => s === 400)).toHaveLength(15);
      expect(warnings.map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await connection.close();
    }
  });
});
