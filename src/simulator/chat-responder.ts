/**
 * Answers one chat completion, step by step: validate the request (chat-validation.ts), draw the
 * faults that strike before admission, admit it against the limits (or answer the dialect's 429),
 * draw the faults that strike after, then write the answer (chat-writers.ts). Limits are settled
 * with what was really generated, so usage and quota always agree. It never reads the wall clock:
 * waits go through the fleet clock.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateAnswer, type PromptFacts } from './answer-generator.js';
import { validateRequest } from './chat-validation.js';
import { JSON_HEADERS, SSE_HEADERS, writeJsonAnswer, writeStreamAnswer, type AnswerPlan } from './chat-writers.js';
import { busyResponse, rateLimitResponse, serverErrorResponse, tooLargeResponse, type SimResponse } from './error-responses.js';
import type { FaultContext } from './fault-plan.js';
import type { SimFault, SimModel } from './fleet-spec.js';
import type { Admission } from './provider-limits.js';
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

export async function respondChat(runtime: ProviderRuntime, request: ChatRequest): Promise<void> {
  const { res, body, model } = request;
  const { stats, provider } = runtime;
  const validation = validateRequest(model, body);
  if (!validation.ok) {
    stats.invalid(model.id);
    return send(res, validation.response);
  }
  const refused = paramRejection(provider.dialect, model.upstreamId, { ...provider.rejects, ...model.rejects }, body);
  if (refused) return (stats.invalid(model.id), send(res, refused));
  const { prompt, maxTokens } = validation;
  const isStream = body.stream === true;
  const context = runtime.nextRequest(request.contentHash, model, isStream);
  const requestId = `req-sim-${provider.id}-${context.requestNumber}`;

  const early = runtime.faults.pick('before', context);
  if (early) {
    stats.fault(model.id, early.kind);
    const response = early.kind === 'busy' ? busyResponse(provider.dialect, early.status) : serverErrorResponse(early.status ?? 503);
    return send(res, response, { 'x-request-id': requestId });
  }

  const admitted = admit(runtime, request, prompt, maxTokens);
  if ('refusal' in admitted) return send(res, admitted.refusal, { 'x-request-id': requestId });
  const headers = { ...admitted.limitHeaders, 'x-request-id': requestId };
  const finish = (completionTokens: number, completed: boolean) => {
    runtime.limits.settle(admitted.admission, completionTokens);
    stats.served(model.id, prompt.tokens, completionTokens, completed);
  };

  const fault = runtime.faults.pick('after', context);
  if (fault) stats.fault(model.id, fault.kind);
  if (endedByFault(fault, request, headers, isStream, finish)) return;

  const plan = planAnswer(runtime, request, { prompt, maxTokens, context, fault, headers, finish });
  await (isStream ? writeStreamAnswer(plan) : writeJsonAnswer(plan));
}

/** Takes the request's share of every limit, or the answer that refuses it (429, or 413 when it can never fit). */
function admit(runtime: ProviderRuntime, request: ChatRequest, prompt: PromptFacts, maxTokens: number): { refusal: SimResponse } | { admission: Admission; limitHeaders: Record<string, string> } {
  const { model, key } = request;
  const { provider, clock, stats } = runtime;
  const verdict = runtime.limits.admit(key, model, prompt.tokens, maxTokens);
  if (!verdict.ok) {
    const { rejection } = verdict;
    const tooLarge = rejection.retryMs === Infinity;
    stats.rejected(model.id, rejection.view.label, !tooLarge);
    const views = runtime.limits.views(key, model);
    return {
      refusal: tooLarge
        ? tooLargeResponse(model, rejection.view, rejection.requested)
        : rateLimitResponse({ dialect: provider.dialect, model, rejection, views, now: clock.now() }),
    };
  }
  stats.accepted(model.id);
  const limitHeaders = provider.limits.length + model.limits.length > 0 ? rateLimitHeaders(provider.dialect, runtime.limits.views(key, model), clock.now()) : {};
  return { admission: verdict.admission, limitHeaders };
}

/** Faults that end the request before any answer is generated: a 5xx, a reset socket, a stall. */
function endedByFault(
  fault: SimFault | undefined,
  request: ChatRequest,
  headers: Record<string, string>,
  isStream: boolean,
  finish: (completionTokens: number, completed: boolean) => void,
): boolean {
  const { req, res } = request;
  switch (fault?.kind) {
    case 'server-error':
      finish(0, false);
      send(res, serverErrorResponse(fault.status ?? 500), headers);
      return true;
    case 'reset':
      finish(0, false);
      req.socket.destroy();
      return true;
    case 'stall':
      finish(0, false);
      res.writeHead(200, { ...(isStream ? SSE_HEADERS : JSON_HEADERS), ...headers });
      res.flushHeaders();
      request.onStall(res);
      return true;
    default:
      return false;
  }
}

interface AnswerInputs {
  prompt: PromptFacts;
  maxTokens: number;
  context: FaultContext;
  fault: SimFault | undefined;
  headers: Record<string, string>;
  finish: (completionTokens: number, completed: boolean) => void;
}

/** The answer and its timing: generated content, latency drawn for this request, where a cut falls. */
function planAnswer(runtime: ProviderRuntime, request: ChatRequest, inputs: AnswerInputs): AnswerPlan {
  const { body, model, res } = request;
  const { prompt, maxTokens, context, fault } = inputs;
  const json =
    typeof body.response_format === 'object' &&
    body.response_format !== null &&
    String((body.response_format as { type?: unknown }).type).startsWith('json');
  const answer = generateAnswer({ seed: runtime.seed, modelId: model.id, prompt, maxTokens, json });
  const pieces = answer.pieces;
  const { ttftMs, perTokenMs } = runtime.latency(model.latency, context);
  return {
    res,
    clock: runtime.clock,
    providerId: runtime.provider.id,
    model,
    body,
    answer,
    headers: inputs.headers,
    id: `chatcmpl-sim${context.contentHash.toString(16)}x${context.occurrence}`,
    created: Math.floor(runtime.clock.now() / 1000),
    usage: { prompt_tokens: prompt.tokens, completion_tokens: pieces.length, total_tokens: prompt.tokens + pieces.length },
    firstTokenMs: ttftMs + (fault?.kind === 'slow-first-token' ? (fault.delayMs ?? 5000) : 0),
    perTokenMs,
    cutAfter: fault?.kind === 'stream-cut' ? Math.min(fault.afterTokens ?? Math.floor(pieces.length / 2), pieces.length) : Infinity,
    fault,
    finish: inputs.finish,
  };
}
