/**
 * Turns a client's body into what one deployment accepts: its upstream model id, its quirks (dropped
 * parameters, the name of the output cap) and, for streams, usage always on, since quota needs it.
 * Also resolves a deployment's endpoint once. It never alters message content.
 */
import type { Deployment } from '../core/deployment.js';

export type RequestMode = 'chat' | 'stream' | 'embeddings';

const outputCapNames = ['max_tokens', 'max_completion_tokens'] as const;

/** Serialises the body for `deployment`; one pass over the client's keys, no deep copies. */
export function shapeRequestBody(deployment: Deployment, body: Record<string, unknown>, mode: RequestMode): string {
  const { dropParams, maxTokensParam } = deployment.quirks;
  const shaped: Record<string, unknown> = {};
  for (const key in body) {
    const value = body[key];
    if (value === undefined) continue;
    if (maxTokensParam && key !== maxTokensParam && (key === outputCapNames[0] || key === outputCapNames[1])) {
      // The provider's own name wins when a client sent both.
      if (body[maxTokensParam] === undefined) shaped[maxTokensParam] = value;
      continue;
    }
    if (mode !== 'stream' && (key === 'stream' || key === 'stream_options')) continue;
    shaped[key] = value;
  }
  if (dropParams) for (const name of dropParams) delete shaped[name];
  shaped['model'] = deployment.model.upstreamId;
  if (mode === 'stream') {
    shaped['stream'] = true;
    const options = body['stream_options'];
    shaped['stream_options'] = typeof options === 'object' && options !== null ? { ...options, include_usage: true } : { include_usage: true };
  }
  return JSON.stringify(shaped);
}

/** Whether the client itself asked for the usage chunk (the gateway strips it otherwise). */
export function clientWantsUsage(body: Record<string, unknown>): boolean {
  const options = body['stream_options'];
  return typeof options === 'object' && options !== null && (options as Record<string, unknown>)['include_usage'] === true;
}

export interface Endpoint {
  origin: string;
  /** Path prefix without a trailing slash (`/v1`, `/openai/v1`). */
  basePath: string;
  /** Query kept from the base URL (Azure's `?api-version=`), with its `?`, or ''. */
  query: string;
}

const endpoints = new Map<string, Endpoint>();

/** `https://api.groq.com/openai/v1/` → origin + `/openai/v1`; cached, since base URLs are few. */
export function endpointOf(baseUrl: string): Endpoint {
  let endpoint = endpoints.get(baseUrl);
  if (!endpoint) {
    const url = new URL(baseUrl);
    endpoint = { origin: url.origin, basePath: url.pathname.replace(/\/+$/, ''), query: url.search };
    endpoints.set(baseUrl, endpoint);
  }
  return endpoint;
}

export const pathOf = (endpoint: Endpoint, resource: string): string => `${endpoint.basePath}/${resource}${endpoint.query}`;

const headerCache = new WeakMap<Deployment, Record<string, string>>();

/** Request headers for a deployment, built once: JSON, the bearer key, then its own headers (which may override). */
export function requestHeadersOf(deployment: Deployment): Record<string, string> {
  let headers = headerCache.get(deployment);
  if (!headers) {
    headers = buildHeaders(deployment.apiKey, deployment.headers);
    headerCache.set(deployment, headers);
  }
  return headers;
}

export function buildHeaders(apiKey: string | undefined, extra: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers['authorization'] = `Bearer ${apiKey}`;
  if (extra) for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  return headers;
}
