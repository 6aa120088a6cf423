/**
 * The HTTP face of Freeway: OpenAI's routes, auth, errors in OpenAI's shape, /metrics, /ui.
 * It translates HTTP to gateway calls and back; it never decides routing, quota or retries.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FreewayError, redactSecrets, toFreewayError } from '../core/errors.js';
import { jsonTextOf } from '../core/parsed-json-text.js';
import type { Gateway, GatewayResult, Priority, RequestContext } from '../gateway/types.js';
import { createKeyChecker } from './auth.js';
import { pipeSse } from './sse.js';
import { createDashboard } from '../dashboard/dashboard.js';
import { DRY_RUN_HEADER, isDryRun, sendRoute } from './dry-run.js';
import { drainRequestBody } from './drain-request.js';
import { registerBatchRoutes, type BatchRoutesOptions } from './batch-routes.js';

export interface ServerOptions {
  gateway: Gateway;
  apiKeys?: readonly string[];
  bodyLimitBytes?: number;
  /** Default for x-freeway-max-wait-ms. */
  defaultMaxWaitMs?: number;
  /** Log requests (pino); off in tests and benchmarks. */
  logger?: boolean;
  /** Values that must never be written to a log line or an error body. */
  secrets?: readonly string[];
  /** OpenAI's Files and Batches routes, when the process runs batches. */
  batches?: BatchRoutesOptions;
}

const PRIORITIES = new Set<Priority>(['high', 'normal', 'low']);
const REQUEST_ID = /^[\w.:-]{1,128}$/;

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readContext(request: FastifyRequest, signal: AbortSignal, defaultMaxWaitMs: number): RequestContext {
  const priority = (headerValue(request, 'x-freeway-priority') ?? 'normal').toLowerCase();
  if (!PRIORITIES.has(priority as Priority)) {
    throw new FreewayError('invalid_request', "x-freeway-priority must be 'high', 'normal' or 'low'", { param: 'x-freeway-priority' });
  }
  const maxWaitHeader = headerValue(request, 'x-freeway-max-wait-ms');
  const maxWaitMs = maxWaitHeader === undefined ? defaultMaxWaitMs : Number(maxWaitHeader);
  if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) {
    throw new FreewayError('invalid_request', 'x-freeway-max-wait-ms must be a non-negative number of milliseconds', { param: 'x-freeway-max-wait-ms' });
  }
  const cacheControl = headerValue(request, 'cache-control');
  const longInput = readLongInput(headerValue(request, 'x-freeway-long-input'));
  return { requestId: request.id, priority: priority as Priority, maxWaitMs, signal, ...(cacheControl ? { cacheControl } : {}), ...(longInput ? { longInput } : {}) };
}

const LONG_INPUT_MODES = ['refuse', 'truncate', 'map-reduce'] as const;

/** x-freeway-long-input (see src/shaping/long-input.ts); a clear 400 for anything else. */
function readLongInput(value: string | undefined): RequestContext['longInput'] {
  if (value === undefined) return undefined;
  const mode = value.trim().toLowerCase();
  if ((LONG_INPUT_MODES as readonly string[]).includes(mode)) return mode as RequestContext['longInput'];
  throw new FreewayError('invalid_request', "x-freeway-long-input must be 'refuse', 'truncate' or 'map-reduce'", { param: 'x-freeway-long-input' });
}

const connectionSignal = Symbol('client abort signal');
type WatchedSocket = Socket & { [connectionSignal]?: AbortSignal };

/**
 * An AbortSignal that fires when the client goes away. HTTP/1.1 cancels a request only by closing
 * its connection, so one signal per connection serves every request on it: an AbortController and
 * a listener per request cost more than the rest of reading the request. Whoever listens to it
 * stops listening when its own work ends, so a long keep-alive connection collects no listeners.
 */
function clientAbortSignal(socket: WatchedSocket): AbortSignal {
  const known = socket[connectionSignal];
  if (known) return known;
  const controller = new AbortController();
  const closed = () => controller.abort(new FreewayError('client_closed', 'The client closed the connection'));
  if (socket.destroyed) closed();
  else socket.once('close', closed);
  socket[connectionSignal] = controller.signal;
  return controller.signal;
}

function setMetaHeaders(reply: FastifyReply, result: GatewayResult): void {
  const { meta } = result;
  reply.header('x-freeway-provider', meta.provider);
  reply.header('x-freeway-model', meta.upstreamModel);
  reply.header('x-freeway-attempts', String(meta.attempts));
  reply.header('x-freeway-cache', meta.cache);
  reply.header('x-freeway-route', meta.route);
  if (meta.shaped !== undefined) reply.header('x-freeway-shaped', meta.shaped);
}

async function sendResult(reply: FastifyReply, result: GatewayResult): Promise<void> {
  setMetaHeaders(reply, result);
  if (result.kind === 'json') {
    // The upstream's own text when the body is unchanged but for its model (parsed-json-text.ts).
    await reply.type('application/json; charset=utf-8').send(jsonTextOf(result.body));
    return;
  }
  reply.hijack();
  const raw = reply.raw;
  // getHeaders() builds a fresh object: add to it rather than copy it once more.
  const headers = reply.getHeaders() as Record<string, string>;
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  headers['connection'] = 'keep-alive';
  raw.writeHead(200, headers);
  await pipeSse(raw, result.chunks);
}

export function createServer(options: ServerOptions): FastifyInstance {
  const isValidKey = options.apiKeys && options.apiKeys.length > 0 ? createKeyChecker(options.apiKeys) : undefined;
  // The dashboard wraps the gateway to record recent requests; every route below serves through it.
  const dashboard = createDashboard({ gateway: options.gateway, ...(isValidKey ? { isValidKey } : {}) });
  const { gateway } = dashboard;
  const secrets = options.secrets ?? [];
  const defaultMaxWaitMs = options.defaultMaxWaitMs ?? 30_000;
  const app = Fastify({
    logger: options.logger ? { level: 'info', redact: ['req.headers.authorization'] } : false,
    bodyLimit: options.bodyLimitBytes ?? 4 * 1024 * 1024,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

  // A callback hook, not an async one: it runs on every request and has nothing to await.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  if (isValidKey) {
    app.addHook('onRequest', async (request) => {
      if (request.url === '/healthz' || dashboard.checksOwnAccess(request.url)) return;
      if (!isValidKey(headerValue(request, 'authorization'))) {
        throw new FreewayError('invalid_api_key', 'Missing or invalid API key: send Authorization: Bearer <key>');
      }
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    const freewayError = asFreewayError(error);
    // Read the rest of an oversized body first: closing on a client still writing shows it EPIPE, not the 413.
    if (freewayError.code === 'request_too_large') {
      await drainRequestBody(request.raw);
      reply.header('connection', 'close');
    }
    if (freewayError.code === 'internal_error') request.log.error({ err: redactSecrets(String(error), secrets) }, 'internal error');
    if (freewayError.retryAfterMs !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(freewayError.retryAfterMs / 1000))));
    if (freewayError.attempts !== undefined) reply.header('x-freeway-attempts', String(freewayError.attempts));
    for (const [name, value] of Object.entries(freewayError.headers)) reply.header(name, value);
    const body = freewayError.toBody();
    body.error.message = redactSecrets(body.error.message, secrets);
    await reply.status(freewayError.status).send(body);
  });

  app.setNotFoundHandler(async (request) => {
    throw new FreewayError('route_not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await gateway.renderMetrics();
    await reply.type(contentType).send(text);
  });

  app.get('/v1/models', async () => gateway.listModels());
  app.get('/v1/freeway/state', async () => gateway.state());
  app.post('/v1/freeway/route', async (request, reply) => sendRoute(reply, gateway.explainRoute(request.body)));
  dashboard.register(app);

  app.post('/v1/chat/completions', async (request, reply) => {
    if (isDryRun(headerValue(request, DRY_RUN_HEADER))) return sendRoute(reply, gateway.explainRoute(request.body));
    const context = readContext(request, clientAbortSignal(request.raw.socket), defaultMaxWaitMs);
    await sendResult(reply, await gateway.chat(request.body, context));
  });

  app.post('/v1/embeddings', async (request, reply) => {
    const context = readContext(request, clientAbortSignal(request.raw.socket), defaultMaxWaitMs);
    await sendResult(reply, await gateway.embeddings(request.body, context));
  });

  if (options.batches) registerBatchRoutes(app, options.batches);

  return app;
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) in the catalogue's terms. */
function asFreewayError(error: unknown): FreewayError {
  if (error instanceof FreewayError) return error;
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FreewayError('request_too_large', 'The request body is larger than the server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FreewayError('invalid_request', 'Send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new FreewayError('invalid_json', 'The request body is empty; expected a JSON object');
    default:
      if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return new FreewayError('invalid_json', `The request body is not valid JSON: ${fastifyError.message ?? ''}`);
      }
      if (fastifyError.statusCode === 400) return new FreewayError('invalid_request', fastifyError.message ?? 'Bad request');
      return toFreewayError(error);
  }
}
