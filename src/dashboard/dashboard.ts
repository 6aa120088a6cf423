/**
 * GET /ui and its parts: the page and its assets (from web/dashboard and uPlot's package, no CDN),
 * a live event stream (GET /ui/events: the last 15 minutes on connect, then one snapshot a second),
 * a request's full explanation (GET /ui/requests/:id) and sign-in (POST /ui/session). It owns the
 * request log that wraps the gateway; it reads state and metrics, and never changes routing.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FreewayError } from '../core/errors.js';
import type { Gateway } from '../gateway/types.js';
import { createDashboardFeed, type DashboardFeed } from './dashboard-feed.js';
import { createDashboardSessions } from './dashboard-session.js';
import { createRequestLog } from './request-log.js';

export interface DashboardOptions {
  gateway: Gateway;
  /** Checks an Authorization header; absent when the gateway needs no key. */
  isValidKey?: (authorization: string | undefined) => boolean;
  /** Sampling period of the time series; 1000 ms. */
  intervalMs?: number;
}

export interface Dashboard {
  /** The gateway to serve requests through: the same one, recording what the dashboard shows. */
  readonly gateway: Gateway;
  readonly feed: DashboardFeed;
  /** Routes that check access themselves (the page and its assets are public, the data is not). */
  checksOwnAccess(url: string): boolean;
  register(app: FastifyInstance): void;
}

const require = createRequire(import.meta.url);
const webFile = (name: string): string => fileURLToPath(new URL(`../../web/dashboard/${name}`, import.meta.url));
const ASSETS: Record<string, { path: () => string; type: string }> = {
  'app.js': { path: () => webFile('app.js'), type: 'text/javascript; charset=utf-8' },
  'style.css': { path: () => webFile('style.css'), type: 'text/css; charset=utf-8' },
  'uPlot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'index.html': { path: () => webFile('index.html'), type: 'text/html; charset=utf-8' },
};
const SELF_CHECKED = /^\/ui(\/|\?|$)/;

export function createDashboard(options: DashboardOptions): Dashboard {
  const log = createRequestLog(options.gateway);
  const feed = createDashboardFeed({ gateway: log.gateway, log, ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}) });
  const sessions = createDashboardSessions();
  const cache = new Map<string, Promise<Buffer>>();
  const asset = (name: string): Promise<Buffer> | undefined => {
    const known = ASSETS[name];
    if (!known) return undefined;
    let content = cache.get(name);
    if (!content) {
      content = readFile(known.path());
      content.catch(() => cache.delete(name));
      cache.set(name, content);
    }
    return content;
  };

  const mayRead = (request: FastifyRequest): boolean =>
    !options.isValidKey || options.isValidKey(request.headers.authorization) || sessions.isValid(request.headers.cookie);
  const requireAccess = (request: FastifyRequest): void => {
    if (!mayRead(request)) throw new FreewayError('invalid_api_key', 'Sign in to the dashboard with an API key (POST /ui/session with Authorization: Bearer <key>)');
  };

  const sendAsset = async (reply: FastifyReply, name: string) => {
    const content = asset(name);
    if (!content) throw new FreewayError('route_not_found', 'No such dashboard asset');
    await reply.type(ASSETS[name]!.type).header('cache-control', 'no-cache').send(await content);
  };

  return {
    gateway: log.gateway,
    feed,
    checksOwnAccess: (url) => SELF_CHECKED.test(url),
    register(app) {
      const streams = new Set<FastifyReply['raw']>();
      app.addHook('preClose', async () => {
        feed.stop();
        for (const raw of streams) raw.end();
      });

      app.get('/ui', async (_request, reply) => sendAsset(reply, 'index.html'));
      app.get<{ Params: { name: string } }>('/ui/assets/:name', async (request, reply) => sendAsset(reply, request.params.name));

      app.get('/ui/session', async (request) => ({ keyRequired: options.isValidKey !== undefined, signedIn: mayRead(request) }));
      app.post('/ui/session', async (request, reply) => {
        if (!options.isValidKey) return reply.status(204).send();
        if (!options.isValidKey(request.headers.authorization)) throw new FreewayError('invalid_api_key', 'Invalid API key');
        return reply.status(204).header('set-cookie', sessions.issue().cookie).send();
      });

      app.get<{ Params: { id: string } }>('/ui/requests/:id', async (request) => {
        requireAccess(request);
        const found = log.explain(request.params.id);
        if (!found) throw new FreewayError('route_not_found', 'That request is no longer among the recent ones');
        return found;
      });

      app.get('/ui/events', async (request, reply) => {
        requireAccess(request);
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-request-id': request.id,
        });
        const send = (event: string, data: unknown) => {
          if (!raw.destroyed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        raw.write('retry: 2000\n\n');
        send('history', feed.history());
        streams.add(raw);
        const unsubscribe = feed.subscribe((snapshot) => send('snapshot', snapshot));
        raw.on('close', () => {
          unsubscribe();
          streams.delete(raw);
        });
      });
    },
  };
}
