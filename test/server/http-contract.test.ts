import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startFreeway } from '../../src/app/start-freeway.js';
import { startStack, type Stack } from '../support/start-stack.js';

const CLIENT_KEY = 'fw-client-key-0123456789';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ overrides: { server: { apiKeys: [CLIENT_KEY], bodyLimitBytes: 2048 } } });
});
afterAll(async () => stack?.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${stack.freeway.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers } });

describe('HTTP contract', () => {
  it('serves /healthz without a key', async () => {
    const response = await fetch(`${stack.freeway.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('requires the bearer key on every other route', async () => {
    for (const path of ['/v1/models', '/metrics', '/v1/freeway/state']) {
      const response = await fetch(`${stack.freeway.url}${path}`);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string; type: string } };
      expect(body.error.code).toBe('invalid_api_key');
    }
    const wrong = await fetch(`${stack.freeway.url}/v1/models`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${stack.freeway.url}/v1/models`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(right.status).toBe(200);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await post('/v1/chat/completions', '{"model": "auto", "messages": [');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; param: unknown } };
    expect(body.error.code).toBe('invalid_json');
  });

  it('answers a missing field with 400 naming the param', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify({ model: 'auto' }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: 'invalid_request', param: 'messages' });
  });

  it('answers an oversized body with 413', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('rejects a bad priority header', async () => {
    const response = await post('/v1/chat/completions', JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }), { 'x-freeway-priority': 'urgent' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('x-freeway-priority');
  });

  it('echoes a valid x-request-id and makes one otherwise', async () => {
    const given = await fetch(`${stack.freeway.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await fetch(`${stack.freeway.url}/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never shows a provider key in state, models or metrics', async () => {
    const headers = { authorization: `Bearer ${CLIENT_KEY}` };
    const texts = await Promise.all(['/v1/freeway/state', '/v1/models', '/metrics'].map(async (p) => (await fetch(`${stack.freeway.url}${p}`, { headers })).text()));
    for (const provider of stack.fleet.providers) for (const key of provider.apiKeys) for (const text of texts) expect(text).not.toContain(key);
  });

  it('exposes Prometheus metrics after traffic', async () => {
    await post('/v1/chat/completions', JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }));
    const text = await (await fetch(`${stack.freeway.url}/metrics`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } })).text();
    expect(text).toMatch(/freeway_requests_total\{[^}]*\} \d+/);
    expect(text).toMatch(/freeway_upstream_calls_total\{[^}]*\} \d+/);
  });
});

describe('binding', () => {
  it('refuses a non-loopback address without apiKeys', async () => {
    const config = parseConfig(JSON.stringify({ providers: [] }), { env: {} });
    await expect(startFreeway({ config, env: {}, host: '0.0.0.0', port: 0 })).rejects.toThrow(/apiKeys/);
  });
});
