/**
 * A tiny real HTTP server on 127.0.0.1:0 for upstream tests: it records what arrived (method, path,
 * headers, body) and notices when the client hangs up before the answer was finished.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: ReceivedRequest, response: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface LoopbackServer {
  origin: string;
  /** `${origin}/v1` */
  baseUrl: string;
  port: number;
  received: ReceivedRequest[];
  /** Resolves with the next request that arrives (or the latest one, if it came already and was not awaited). */
  nextRequest(): Promise<ReceivedRequest>;
  /** Resolves when a response is closed before it finished: the client went away. */
  nextHangUp(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const received: ReceivedRequest[] = [];
  let delivered = 0;
  const requestWaiters: ((request: ReceivedRequest) => void)[] = [];
  let hangUps = 0;
  let hangUpWaiters: (() => void)[] = [];

  const server = createServer((raw, response) => {
    const parts: Buffer[] = [];
    raw.on('data', (part: Buffer) => parts.push(part));
    raw.on('end', () => {
      const request: ReceivedRequest = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body: Buffer.concat(parts).toString('utf8') };
      received.push(request);
      response.on('close', () => {
        if (response.writableFinished) return;
        hangUps++;
        const waiters = hangUpWaiters;
        hangUpWaiters = [];
        for (const waiter of waiters) waiter();
      });
      const waiter = requestWaiters.shift();
      if (waiter) {
        delivered = received.length;
        waiter(request);
      }
      void Promise.resolve(handler(request, response, raw)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let seenHangUps = 0;

  return {
    origin,
    baseUrl: `${origin}/v1`,
    port,
    received,
    nextRequest() {
      if (delivered < received.length) {
        delivered = received.length;
        return Promise.resolve(received[received.length - 1] as ReceivedRequest);
      }
      return new Promise((resolve) => requestWaiters.push(resolve));
    },
    nextHangUp() {
      if (seenHangUps < hangUps) {
        seenHangUps = hangUps;
        return Promise.resolve();
      }
      return new Promise((resolve) =>
        hangUpWaiters.push(() => {
          seenHangUps = hangUps;
          resolve();
        }),
      );
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes SSE `data:` events (objects are JSON-encoded) and raw lines such as comments. */
export function writeEvents(response: ServerResponse, events: (Record<string, unknown> | string)[]): void {
  for (const event of events) {
    if (typeof event === 'string') response.write(event.startsWith(':') ? `${event}\n\n` : `data: ${event}\n\n`);
    else response.write(`data: ${JSON.stringify(event)}\n\n`);
  }
}

export function startEventStream(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  response.flushHeaders();
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A chunk in OpenAI's shape. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1767225600, model: 'up-model', choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

export const usageChunk = (prompt: number, completion: number): Record<string, unknown> => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1767225600,
  model: 'up-model',
  choices: [],
  usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
});
