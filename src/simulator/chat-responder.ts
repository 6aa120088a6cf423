/**
 * Answers one admitted-or-not chat completion: faults, limits, latency and the body, as JSON or SSE
 * (with `stream_options.include_usage` and `data: [DONE]`). Limits are settled with what was really
 * generated, so usage and quota always agree. It never reads the wall clock: waits go through the fleet clock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateAnswer, readPrompt } from './answer-generator.js';
import {
  busyResponse,
  invalidRequest,
  rateLimitResponse,
  serverErrorResponse,
  tooLargeResponse,
  type SimResponse,
} from './error-responses.js';
import type { SimModel } from './fleet-spec.js';
import type { ProviderRuntime } from './provider-runtime.js';
import { rateLimitHeaders } from './success-headers.js';
import { paramRejection } from './param-rejections.js';

export interface ChatRequest {
  req: IncomingMessage;
  res: ServerResponse;
  key: string;
  body: Record<string, unknown>;
  contentHash: number;
  model: SimModel;
  /** Called for responses left open on purpose (a stall), so closing the fleet can end them. */
  onStall: (res: ServerResponse) => void;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Stream pacing below this many fleet ms is batched into one write, to keep timers few. */
const MIN_PAUSE_MS = 10;

export function send(res: ServerResponse, response: SimResponse, extra: Record<string, string> = {}): void {
  if (res.destroyed) return;
  // An explicit length avoids chunked framing: one write per answer.
  res.writeHead(response.status, {
    ...JSON_HEADERS,
    ...response.headers,
    ...extra,
    'content-length': String(Buffer.byteLength(response.body)),
  });
  res.end(response.body);
}

function readMaxTokens(body: Record<string, unknown>): number | undefined | 'invalid' {
  const value = body.max_completion_tokens ?? body.max_tokens;
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 'invalid';
}

export async function respondChat(runtime: ProviderRuntime, request: ChatRequest): Promise<void> {
  const { req, res, body, model } = request;
  const { stats, provider, clock } = runtime;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    stats.invalid(model.id);
    return send(res, invalidRequest(400, "'messages' must be a non-empty array", 'invalid_request_error', 'messages'));
  }
  const refused = paramRejection(provider.dialect, model.upstreamId, { ...provider.rejects, ...model.rejects }, body);
  if (refused) return (stats.invalid(model.id), send(res, refused));
  const requested = readMaxTokens(body);
  if (requested === 'invalid' || (requested !== undefined && requested > model.maxOutputTokens)) {
    stats.invalid(model.id);
    return send(
      res,
      invalidRequest(
        400,
        `max_tokens must be an integer between 1 and ${model.maxOutputTokens} for ${model.upstreamId}`,
        'invalid_value',
        'max_tokens',
      ),
    );
  }
  const prompt = readPrompt(messages);
  const maxTokens = requested ?? Math.min(model.maxOutputTokens, model.contextWindow - prompt.tokens);
  if (prompt.tokens + maxTokens > model.contextWindow || maxTokens < 1) {
    stats.invalid(model.id);
    return send(
      res,
      invalidRequest(
        400,
        `This model's maximum context length is ${model.contextWindow} tokens; the request needs ${prompt.tokens + Math.max(0, maxTokens)}.`,
        'context_length_exceeded',
        'messages',
      ),
    );
  }
  const isStream = body.stream === true;
  const context = runtime.nextRequest(request.contentHash, model, isStream);
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

  const verdict = runtime.limits.admit(request.key, model, prompt.tokens, maxTokens);
  if (!verdict.ok) {
    const { rejection } = verdict;
    const tooLarge = rejection.retryMs === Infinity;
    stats.rejected(model.id, rejection.view.label, !tooLarge);
    const views = runtime.limits.views(request.key, model);
    const response = tooLarge
      ? tooLargeResponse(model, rejection.view, rejection.requested)
      : rateLimitResponse({ dialect: provider.dialect, model, rejection, views, now: clock.now() });
    return send(res, response, { 'x-request-id': requestId });
  }
  const { admission } = verdict;
  stats.accepted(model.id);
  const limitHeaders =
    provider.limits.length + model.limits.length > 0
      ? rateLimitHeaders(provider.dialect, runtime.limits.views(request.key, model), clock.now())
      : {};
  const headers = { ...limitHeaders, 'x-request-id': requestId };
  const finish = (completionTokens: number, completed: boolean) => {
    runtime.limits.settle(admission, completionTokens);
    stats.served(model.id, prompt.tokens, completionTokens, completed);
  };

  const fault = runtime.faults.pick('after', context);
  if (fault) stats.fault(model.id, fault.kind);
  switch (fault?.kind) {
    case 'server-error':
      finish(0, false);
      return send(res, serverErrorResponse(fault.status ?? 500), headers);
    case 'reset':
      finish(0, false);
      req.socket.destroy();
      return;
    case 'stall':
      finish(0, false);
      res.writeHead(200, { ...(isStream ? SSE_HEADERS : JSON_HEADERS), ...headers });
      res.flushHeaders();
      request.onStall(res);
      return;
  }

  const json =
    typeof body.response_format === 'object' &&
    body.response_format !== null &&
    String((body.response_format as { type?: unknown }).type).startsWith('json');
  const answer = generateAnswer({ seed: runtime.seed, modelId: model.id, prompt, maxTokens, json });
  const pieces = answer.pieces;
  const { ttftMs, perTokenMs } = runtime.latency(model.latency, context);
  const firstTokenMs = ttftMs + (fault?.kind === 'slow-first-token' ? (fault.delayMs ?? 5000) : 0);
  const id = `chatcmpl-sim${context.contentHash.toString(16)}x${context.occurrence}`;
  const created = Math.floor(clock.now() / 1000);
  const usage = {
    prompt_tokens: prompt.tokens,
    completion_tokens: pieces.length,
    total_tokens: prompt.tokens + pieces.length,
  };
  const cutAfter =
    fault?.kind === 'stream-cut'
      ? Math.min(fault.afterTokens ?? Math.floor(pieces.length / 2), pieces.length)
      : Infinity;

  if (!isStream) {
    const waitMs = firstTokenMs + pieces.length * perTokenMs;
    if (waitMs > 0) await clock.sleep(waitMs);
    const text = JSON.stringify({
      id,
      object: 'chat.completion',
      created,
      model: model.upstreamId,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: pieces.join('') },
          logprobs: null,
          finish_reason: answer.finishReason,
        },
      ],
      usage,
    });
    if (cutAfter !== Infinity) {
      finish(pieces.length, false);
      res.writeHead(200, { ...JSON_HEADERS, ...headers });
      // Destroy only once the half body is on the wire, or the cut would swallow it.
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
      return;
    }
    finish(pieces.length, true);
    return send(res, { status: 200, headers, body: text });
  }

  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  res.flushHeaders();
  if (fault?.kind === 'sse-error') {
    finish(0, false);
    const code = fault.status ?? 502;
    const event = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: model.upstreamId,
      error: { code, message: 'Provider returned error', metadata: { provider_name: provider.id } },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    };
    res.end(`data: ${JSON.stringify(event)}\n\ndata: [DONE]\n\n`);
    return;
  }
  const includeUsage =
    typeof body.stream_options === 'object' &&
    body.stream_options !== null &&
    (body.stream_options as { include_usage?: unknown }).include_usage === true;
  const chunk = (delta: Record<string, string>, finishReason: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model.upstreamId, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;

  if (firstTokenMs > 0) await clock.sleep(firstTokenMs);
  let buffer = chunk({ role: 'assistant', content: '' }, null);
  let owedMs = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return finish(i, false);
    if (i === cutAfter) {
      res.write(buffer, () => res.destroy());
      return finish(i, false);
    }
    buffer += chunk({ content: pieces[i] as string }, null);
    owedMs += perTokenMs;
    if (owedMs >= MIN_PAUSE_MS) {
      res.write(buffer);
      buffer = '';
      await clock.sleep(owedMs);
      owedMs = 0;
    }
  }
  if (res.destroyed) return finish(pieces.length, false);
  if (cutAfter !== Infinity) {
    res.write(buffer, () => res.destroy());
    return finish(pieces.length, false);
  }
  buffer += chunk({}, answer.finishReason);
  if (includeUsage) {
    buffer += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model.upstreamId, choices: [], usage })}\n\n`;
  }
  finish(pieces.length, true);
  res.end(`${buffer}data: [DONE]\n\n`);
}
