/**
 * The first step of a simulated chat: is the request one this model would accept at all? Messages,
 * the output cap and the context window, refused the way providers refuse them (400s). It only
 * reads the body: no limit is touched and no fault is drawn for a request it refuses. A new check
 * (a parameter the model rejects, say) belongs here, as one more step of `validateRequest`.
 */
import { readPrompt, type PromptFacts } from './answer-generator.js';
import { invalidRequest, type SimResponse } from './error-responses.js';
import type { SimModel } from './fleet-spec.js';

export type Validation = { ok: true; prompt: PromptFacts; maxTokens: number } | { ok: false; response: SimResponse };

function readMaxTokens(body: Record<string, unknown>): number | undefined | 'invalid' {
  const value = body.max_completion_tokens ?? body.max_tokens;
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 'invalid';
}

export function validateRequest(model: SimModel, body: Record<string, unknown>): Validation {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, response: invalidRequest(400, "'messages' must be a non-empty array", 'invalid_request_error', 'messages') };
  }
  const requested = readMaxTokens(body);
  if (requested === 'invalid' || (requested !== undefined && requested > model.maxOutputTokens)) {
    const message = `max_tokens must be an integer between 1 and ${model.maxOutputTokens} for ${model.upstreamId}`;
    return { ok: false, response: invalidRequest(400, message, 'invalid_value', 'max_tokens') };
  }
  const prompt = readPrompt(messages);
  const maxTokens = requested ?? Math.min(model.maxOutputTokens, model.contextWindow - prompt.tokens);
  if (prompt.tokens + maxTokens > model.contextWindow || maxTokens < 1) {
    const message = `This model's maximum context length is ${model.contextWindow} tokens; the request needs ${prompt.tokens + Math.max(0, maxTokens)}.`;
    return { ok: false, response: invalidRequest(400, message, 'context_length_exceeded', 'messages') };
  }
  return { ok: true, prompt, maxTokens };
}
