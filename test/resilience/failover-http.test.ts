/**
 * runWithFailover against real local HTTP servers: the bodies go over a socket, the attempt turns
 * them into UpstreamFailureErrors the way upstream/ does, and the default classifier decides.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { emptySignal } from '../../src/core/rate-limit-signal.js';
import { UpstreamFailureError } from '../../src/core/upstream-failure.js';
import {
  FailoverError,
  createBreakerRegistry,
  runWithFailover,
  type AttemptContext,
} from '../../src/resilience/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse, hit: number) => void;

const json =
  (status: number, body: unknown): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

const handlers: Record<string, Handler> = {
  together503: json(503, {
    id: 'x',
    error: { message: 'The server is overloaded or not ready yet.', type: 'server_error' },
  }),
  ok: json(200, {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  }),
  badRequest: json(400, {
    error: {
      message: "Invalid value for 'temperature': expected a number ≤ 2.",
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_value',
    },
  }),
  resetOnce: (request, response, hit) => {
    if (hit === 1) request.socket.destroy();
    else handlers.ok?.(request, response, hit);
  },
};

const servers: Server[] = [];
const urls: Record<string, string> = {};
const hits: Record<string, number> = {};

beforeAll(async () => {
  for (const [name, handler] of Object.entries(handlers)) {
    hits[name] = 0;
    const server = createServer((request, response) => {
      hits[name] = (hits[name] ?? 0) + 1;
      handler(request, response, hits[name] ?? 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  }
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Target {
  id: string;
  providerId: string;
  url: string;
}

const target = (name: string): Target => ({ id: `${name}/model`, providerId: name, url: urls[name] ?? '' });

/** What upstream/ does: a non-2xx becomes an http failure, a socket error a network failure. */
async function call(candidate: Target, { signal }: AttemptContext): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(candidate.url, {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer sk-test-abcdefghijkl' },
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? 'UND_ERR_SOCKET').toString();
    throw new UpstreamFailureError({ kind: 'network', code, message: String(error) }, candidate.id);
  }
  const bodyText = await response.text();
  if (!response.ok) {
    throw new UpstreamFailureError(
      {
        kind: 'http',
        status: response.status,
        bodyText,
        headers: Object.fromEntries(response.headers),
        signal: emptySignal(),
      },
      candidate.id,
    );
  }
  return JSON.parse(bodyText) as unknown;
}

/** Moves the manual clock while real sockets do their work, until the promise settles. */
async function drive<T>(promise: Promise<T>, clock: ManualClock): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) await clock.advance(50);
  return watched;
}

describe('runWithFailover over real HTTP', () => {
  it('fails over from a busy provider to a healthy one', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1 });
    const before = { ...hits };
    const result = await drive(
      runWithFailover({ candidates: [target('together503'), target('ok')], attempt: call, clock, breakers }),
      clock,
    );
    expect(result.candidate.providerId).toBe('ok');
    expect(result.attempts).toBe(2);
    expect(result.failures[0]?.error.code).toBe('upstream_overloaded');
    expect(result.failures[0]?.error.message).toContain('together503/model');
    expect((hits.together503 ?? 0) - (before.together503 ?? 0)).toBe(1);
    expect(breakers.state('together503/model')).toBe('open');
  });

  it('returns a 400 to the caller as the upstream said it, without trying anyone else', async () => {
    const clock = new ManualClock();
    const before = { ...hits };
    const error = await drive(
      runWithFailover({ candidates: [target('badRequest'), target('ok')], attempt: call, clock }),
      clock,
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FailoverError);
    expect(error).toMatchObject({ code: 'upstream_bad_request', status: 400, param: 'temperature', attempts: 1 });
    expect((error as Error).message).toBe("Invalid value for 'temperature': expected a number ≤ 2.");
    expect((hits.ok ?? 0) - (before.ok ?? 0)).toBe(0);
  });

  it('retries the same deployment after a connection reset', async () => {
    const clock = new ManualClock();
    const result = await drive(
      runWithFailover({ candidates: [target('resetOnce'), target('ok')], attempt: call, clock, random: () => 0.5 }),
      clock,
    );
    expect(result.candidate.providerId).toBe('resetOnce');
    expect(result.attempts).toBe(2);
    expect(result.failures[0]?.error.code).toBe('upstream_connection_reset');
    expect(hits.resetOnce).toBe(2);
  });
});
