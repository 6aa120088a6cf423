/**
 * Answers POST /v1/embeddings: deterministic unit vectors per input, usage counted as prompt tokens,
 * limits and faults applied as for chat (minus the streaming ones).
 */
import { countTextTokens, embed } from './answer-generator.js';
import {
  busyResponse,
  invalidRequest,
  rateLimitResponse,
  serverErrorResponse,
  tooLargeResponse,
} from './error-responses.js';
import { send, type ChatRequest } from './chat-responder.js';
import type { ProviderRuntime } from './provider-runtime.js';
import { rateLimitHeaders } from './success-headers.js';

export async function respondEmbeddings(runtime: ProviderRuntime, request: ChatRequest): Promise<void> {
  const { req, res, body, model } = request;
  const { stats, provider, clock } = runtime;
  const input = body.input;
  const inputs =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input) && input.length > 0
        ? input.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
        : undefined;
  if (!inputs) {
    stats.invalid(model.id);
    return send(
      res,
      invalidRequest(400, "'input' must be a string or a non-empty array", 'invalid_request_error', 'input'),
    );
  }
  const promptTokens = inputs.reduce((sum, text) => sum + countTextTokens(text), 0);
  const context = runtime.nextRequest(request.contentHash, model, false);
  const requestId = `req-sim-${provider.id}-${context.requestNumber}`;
  const early = runtime.faults.pick('before', context);
  if (early) {
    stats.fault(model.id, early.kind);
    return send(
      res,
      early.kind === 'busy' ? busyResponse(provider.dialect, early.status) : serverErrorResponse(early.status ?? 503),
      { 'x-request-id': requestId },
    );
  }
  const verdict = runtime.limits.admit(request.key, model, promptTokens, 0);
  if (!verdict.ok) {
    const { rejection } = verdict;
    const tooLarge = rejection.retryMs === Infinity;
    stats.rejected(model.id, rejection.view.label, !tooLarge);
    const views = runtime.limits.views(request.key, model);
    return send(
      res,
      tooLarge
        ? tooLargeResponse(model, rejection.view, rejection.requested)
        : rateLimitResponse({ dialect: provider.dialect, model, rejection, views, now: clock.now() }),
      { 'x-request-id': requestId },
    );
  }
  stats.accepted(model.id);
  const headers = {
    ...rateLimitHeaders(provider.dialect, runtime.limits.views(request.key, model), clock.now()),
    'x-request-id': requestId,
  };
  const fault = runtime.faults.pick('after', context);
  runtime.limits.settle(verdict.admission, 0);
  if (fault) stats.fault(model.id, fault.kind);
  if (fault?.kind === 'server-error') return send(res, serverErrorResponse(fault.status ?? 500), headers);
  if (fault?.kind === 'reset' || fault?.kind === 'stream-cut') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'stall') {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.flushHeaders();
    request.onStall(res);
    return;
  }
  const { ttftMs } = runtime.latency(model.latency, context);
  const waitMs = ttftMs + (fault?.kind === 'slow-first-token' ? (fault.delayMs ?? 5000) : 0);
  if (waitMs > 0) await clock.sleep(waitMs);
  stats.served(model.id, promptTokens, 0, true);
  send(res, {
    status: 200,
    headers,
    body: JSON.stringify({
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = embed(runtime.seed, model.id, text, model.dimensions);
        // The openai SDK asks for base64 (little-endian float32) by default.
        const embedding =
          body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
        return { object: 'embedding', index, embedding };
      }),
      model: model.upstreamId,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }),
  });
}
