// Local HTTP servers that answer like providers' model-list endpoints, and a clock whose sleeps return at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/core/clock.js';

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

export interface FakeServer {
  origin: string;
  /** Requests received, by path (without query). */
  hits: Map<string, number>;
  requests: { path: string; query: URLSearchParams; headers: IncomingMessage['headers'] }[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const requests: FakeServer['requests'] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    requests.push({ path: url.pathname, query: url.searchParams, headers: request.headers });
    const handler = routes.get(url.pathname);
    if (!handler) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    handler(request, response, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    requests,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };

/** Answers with each handler in turn; the last one repeats. */
export const sequence = (...handlers: Handler[]): Handler => {
  let index = 0;
  return (request, response, url) => {
    const handler = handlers[Math.min(index, handlers.length - 1)] as Handler;
    index += 1;
    handler(request, response, url);
  };
};

/** Virtual time: sleep records the wait, moves the clock and returns at once, so backoff costs nothing. */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current = Date.UTC(2026, 10, 29)) {}
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.current += Math.max(0, ms);
    await Promise.resolve();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
