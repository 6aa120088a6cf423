/**
 * One simulated provider as a real HTTP server on loopback (node:http, for speed): routing, the key
 * check, body reading, and the fleet's own /_sim routes. What to answer is decided in the responders;
 * this file must never log a request's key.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { respondChat, send } from './chat-responder.js';
import { respondEmbeddings } from './embeddings-responder.js';
import { invalidRequest, unauthorizedResponse } from './error-responses.js';
import type { FleetStats } from './fleet-stats.js';
import type { ProviderRuntime } from './provider-runtime.js';
import { hashString } from './seeded-random.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface FleetHooks {
  stats(): FleetStats;
  reset(): void;
  onStall: (res: ServerResponse) => void;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

async function handle(
  runtime: ProviderRuntime,
  hooks: FleetHooks,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
  const method = req.method ?? 'GET';

  if (path === '/_sim/stats' && method === 'GET')
    return send(res, { status: 200, headers: {}, body: JSON.stringify(hooks.stats()) });
  if (path === '/_sim/reset' && method === 'POST') {
    hooks.reset();
    return send(res, { status: 200, headers: {}, body: '{"reset":true}' });
  }
  const isChat = path === '/v1/chat/completions';
  const isEmbeddings = path === '/v1/embeddings';
  const isModels = path === '/v1/models';
  if (!isChat && !isEmbeddings && !isModels)
    return send(res, invalidRequest(404, `Unknown route ${method} ${path}`, 'not_found'));
  if (method !== (isModels ? 'GET' : 'POST'))
    return send(res, invalidRequest(405, `Method ${method} not allowed on ${path}`, 'method_not_allowed'));

  const key = runtime.authenticate(req.headers);
  if (key === undefined) {
    runtime.stats.unauthorized += 1;
    req.resume();
    return send(res, unauthorizedResponse(runtime.provider.dialect));
  }
  if (isModels) return send(res, { status: 200, headers: {}, body: runtime.modelList });

  const raw = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return send(res, invalidRequest(400, 'The request body is not valid JSON.', 'invalid_json'));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return send(res, invalidRequest(400, 'The request body must be a JSON object.', 'invalid_json'));
  const record = body as Record<string, unknown>;
  const model = runtime.model(record.model);
  if (!model) {
    return send(
      res,
      invalidRequest(
        404,
        `The model \`${String(record.model)}\` does not exist or you do not have access to it.`,
        'model_not_found',
        'model',
      ),
    );
  }
  if ((model.kind === 'embedding') !== isEmbeddings) {
    runtime.stats.invalid(model.id);
    return send(
      res,
      invalidRequest(
        400,
        `${model.upstreamId} does not support ${isEmbeddings ? 'embeddings' : 'chat completions'}.`,
        'unsupported_model',
        'model',
      ),
    );
  }
  const request = {
    req,
    res,
    key,
    body: record,
    contentHash: hashString(raw, runtime.seed),
    model,
    onStall: hooks.onStall,
  };
  return isChat ? respondChat(runtime, request) : respondEmbeddings(runtime, request);
}

export function createProviderServer(runtime: ProviderRuntime, hooks: FleetHooks): Server {
  const server = createServer((req, res) => {
    handle(runtime, hooks, req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(
        res,
        invalidRequest(
          500,
          `Simulator error: ${error instanceof Error ? error.message : String(error)}`,
          'simulator_error',
        ),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  return server;
}
