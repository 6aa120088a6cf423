/**
 * The OpenAI-compatible adapter: chat (JSON and SSE), embeddings, model listing and plain JSON GETs
 * (catalog discovery) over undici
 * keep-alive pools (one Pool per origin, inside one Agent). It shapes bodies per deployment, reads
 * rate-limit signals from every answer, and turns every failure into an UpstreamFailureError. It
 * never retries, never picks a deployment and never logs: the gateway and resilience/ decide that.
 */
import { Agent, type Dispatcher } from 'undici';
import { systemClock } from '../core/clock.js';
import { rememberJsonText } from '../core/parsed-json-text.js';
import type { Deployment } from '../core/deployment.js';
import { emptySignal } from '../core/rate-limit-signal.js';
import { DeadlineScheduler } from './call-deadlines.js';
import { parseRateLimitSignal } from './parse-rate-limit-signal.js';
import { buildHeaders, clientWantsUsage, endpointOf, pathOf, requestHeadersOf, shapeRequestBody, type RequestMode } from './request-shaping.js';
import { isRecord } from './signal-input.js';
import { SseChunkStream } from './sse-chunk-stream.js';
import { flattenHeaders, MAX_ERROR_BODY_BYTES, statusOfErrorBody, UpstreamCall } from './upstream-call.js';
import type { CallOptions, GetJsonOptions, UpstreamClient, UpstreamClientOptions, UpstreamDocument, UpstreamJson, UpstreamStream } from './upstream-types.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export function createUpstreamClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const clock = options.clock ?? systemClock;
  const scheduler = new DeadlineScheduler(clock);
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ?? new Agent({ connect: { timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS }, keepAliveTimeout: 30_000 });

  /** Sends one request; resolves with the response whose status is 2xx, throws the failure otherwise. */
  async function send(call: UpstreamCall, request: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request(request);
    } catch (error) {
      call.release();
      throw call.fail(error);
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return response;
    try {
      const text = await call.readText(response.body, MAX_ERROR_BODY_BYTES);
      throw call.httpFailure(response.statusCode, text, response.headers);
    } finally {
      call.release();
    }
  }

  /** One GET whose answer must be JSON: the path catalog discovery shares with the gateway's calls. */
  async function getJson(url: string, options: GetJsonOptions): Promise<UpstreamDocument> {
    const target: URL = new URL(url);
    const call = new UpstreamCall({ id: `GET ${target.origin}${target.pathname}`, dialect: 'none', apiKey: options.apiKey }, scheduler, options);
    const response = await send(call, {
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: 'GET',
      headers: { accept: 'application/json', ...options.headers },
      signal: call.abortSignal,
    });
    call.startIdlePhase();
    let text: string;
    try {
      text = await call.readText(response.body);
    } finally {
      call.release();
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw call.protocolFailure('The answer is not JSON');
    }
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
  }

  async function postJson(deployment: Deployment, body: Record<string, unknown>, options: CallOptions, mode: RequestMode, resource: string) {
    const call = new UpstreamCall(deployment, scheduler, options);
    const endpoint = endpointOf(deployment.baseUrl);
    const response = await send(call, {
      origin: endpoint.origin,
      path: pathOf(endpoint, resource),
      method: 'POST',
      headers: requestHeadersOf(deployment),
      body: shapeRequestBody(deployment, body, mode),
      signal: call.abortSignal,
    });
    const firstByteMs = call.now() - call.startedAt;
    // The first-byte deadline runs on until the body starts (readText): headers then silence is a stall.
    let text: string;
    try {
      text = await call.readText(response.body);
    } finally {
      call.release();
    }
    const parsed = parseJsonObject(text);
    if (!parsed) throw call.protocolFailure(`Upstream answered ${response.statusCode} with a body that is not a JSON object`);
    const rawHeaders = response.headers;
    // Some providers (OpenRouter) answer 200 with an error object instead of a completion.
    if (parsed['error'] != null && parsed['choices'] === undefined && parsed['data'] === undefined) {
      throw call.httpFailure(statusOfErrorBody(parsed), text.slice(0, MAX_ERROR_BODY_BYTES), rawHeaders);
    }
    rememberJsonText(parsed, text);
    const json: UpstreamJson = {
      status: response.statusCode,
      headers: flattenHeaders(rawHeaders),
      body: parsed,
      signal: deployment.dialect === 'none' ? emptySignal() : parseRateLimitSignal(deployment.dialect, { status: response.statusCode, headers: rawHeaders }, call.now()),
      firstByteMs,
      totalMs: call.now() - call.startedAt,
    };
    return json;
  }

  return {
    chat: (deployment, body, options) => postJson(deployment, body, options, 'chat', 'chat/completions'),
    embeddings: (deployment, body, options) => postJson(deployment, body, options, 'embeddings', 'embeddings'),

    async chatStream(deployment, body, options): Promise<UpstreamStream> {
      const call = new UpstreamCall(deployment, scheduler, options);
      const endpoint = endpointOf(deployment.baseUrl);
      const response = await send(call, {
        origin: endpoint.origin,
        path: pathOf(endpoint, 'chat/completions'),
        method: 'POST',
        headers: requestHeadersOf(deployment),
        body: shapeRequestBody(deployment, body, 'stream'),
        signal: call.abortSignal,
      });
      const rawHeaders = response.headers;
      if (String(rawHeaders['content-type'] ?? '').includes('application/json')) {
        // Not a stream at all: an error object under a 2xx, or a provider that ignored `stream`.
        let text: string;
        try {
          text = await call.readText(response.body, MAX_ERROR_BODY_BYTES);
        } finally {
          call.release();
        }
        const parsed = parseJsonObject(text);
        if (parsed?.['error'] != null) throw call.httpFailure(statusOfErrorBody(parsed), text, rawHeaders);
        throw call.protocolFailure('Upstream answered a stream request with JSON instead of an event stream');
      }
      const stream = new SseChunkStream({
        call,
        body: response.body,
        status: response.statusCode,
        headers: flattenHeaders(rawHeaders),
        rawHeaders,
        signal: parseRateLimitSignal(deployment.dialect, { status: response.statusCode, headers: rawHeaders }, call.now()),
        clientWantsUsage: clientWantsUsage(body),
      });
      await stream.waitForContent();
      stream.firstByteMs = call.now() - call.startedAt;
      call.startIdlePhase();
      return stream;
    },

    getJson,

    listModels(baseUrl, apiKey, options) {
      const endpoint = endpointOf(baseUrl);
      const url = `${endpoint.origin}${pathOf(endpoint, 'models')}`;
      return getJson(url, { ...options, headers: buildHeaders(apiKey, undefined), apiKey }).then((answer) => answer.body);
    },

    async close() {
      scheduler.close();
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
