/**
 * The last step of a simulated chat: an admitted answer written out on the fleet clock, as one JSON
 * body or as SSE chunks (`stream_options.include_usage`, `data: [DONE]`), with the faults that act
 * on the wire (stream cut, an error event, a slow first token already folded into `firstTokenMs`).
 * `finish` settles the limits with what was really generated; it is called exactly once.
 */
import type { ServerResponse } from 'node:http';
import type { Answer } from './answer-generator.js';
import type { SimFault, SimModel } from './fleet-spec.js';
import type { Clock } from '../core/clock.js';

export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
export const JSON_HEADERS = { 'content-type': 'application/json' };
/** Stream pacing below this many fleet ms is batched into one write, to keep timers few. */
const MIN_PAUSE_MS = 10;

export interface AnswerPlan {
  res: ServerResponse;
  clock: Clock;
  providerId: string;
  model: SimModel;
  body: Record<string, unknown>;
  answer: Answer;
  headers: Record<string, string>;
  id: string;
  created: number;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  firstTokenMs: number;
  perTokenMs: number;
  /** Tokens sent before the connection is cut; Infinity when it is not. */
  cutAfter: number;
  fault: SimFault | undefined;
  finish: (completionTokens: number, completed: boolean) => void;
}

export async function writeJsonAnswer(plan: AnswerPlan): Promise<void> {
  const { res, clock, model, answer, headers, cutAfter, finish } = plan;
  const pieces = answer.pieces;
  const waitMs = plan.firstTokenMs + pieces.length * plan.perTokenMs;
  if (waitMs > 0) await clock.sleep(waitMs);
  const text = JSON.stringify({
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: model.upstreamId,
    choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, logprobs: null, finish_reason: answer.finishReason }],
    usage: plan.usage,
  });
  if (cutAfter !== Infinity) {
    finish(pieces.length, false);
    res.writeHead(200, { ...JSON_HEADERS, ...headers });
    // Destroy only once the half body is on the wire, or the cut would swallow it.
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
    return;
  }
  finish(pieces.length, true);
  if (res.destroyed) return;
  // An explicit length avoids chunked framing: one write per answer.
  res.writeHead(200, { ...JSON_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export async function writeStreamAnswer(plan: AnswerPlan): Promise<void> {
  const { res, clock, model, body, answer, id, created, cutAfter, finish } = plan;
  res.writeHead(200, { ...SSE_HEADERS, ...plan.headers });
  res.flushHeaders();
  if (plan.fault?.kind === 'sse-error') {
    finish(0, false);
    const code = plan.fault.status ?? 502;
    const event = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: model.upstreamId,
      error: { code, message: 'Provider returned error', metadata: { provider_name: plan.providerId } },
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

  const pieces = answer.pieces;
  if (plan.firstTokenMs > 0) await clock.sleep(plan.firstTokenMs);
  let buffer = chunk({ role: 'assistant', content: '' }, null);
  let owedMs = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return finish(i, false);
    if (i === cutAfter) {
      res.write(buffer, () => res.destroy());
      return finish(i, false);
    }
    buffer += chunk({ content: pieces[i] as string }, null);
    owedMs += plan.perTokenMs;
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
    buffer += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: model.upstreamId, choices: [], usage: plan.usage })}\n\n`;
  }
  finish(pieces.length, true);
  res.end(`${buffer}data: [DONE]\n\n`);
}
