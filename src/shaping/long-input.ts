/**
 * The long-input pre-step, before the chat or embeddings pipeline: with `x-freeway-long-input:
 * refuse` (the default) nothing changes and a prompt beyond every window gets the router's 400 naming
 * the largest window; `truncate` cuts the conversation (or each embeddings input) to fit the largest
 * window on offer; `map-reduce` reads a long chat input in chunks (map-reduce.ts). A request that
 * fits is never touched, whatever the header says.
 */
import { isFreewayError } from '../core/errors.js';
import type { GatewayResult, JsonBody, RequestContext } from '../gateway/types.js';
import { validateChatRequest, validateEmbeddingsRequest } from '../gateway/validate-request.js';
import type { Router } from '../routing/index.js';
import { mapReduce, type ChatPath } from './map-reduce.js';
import { FIXED_OUTPUT_RESERVATION } from './output-budget.js';
import { headTokens } from './text-chunks.js';
import { truncateMessages, type Message } from './truncate-input.js';

export interface LongInputDeps {
  router: Router;
  /** quota.tokenMargin: estimates are multiplied by it when reserving, so budgets divide by it. */
  tokenMargin: number;
}

/** Share of the window a truncated input may fill: room for vocabularies that count more than gpt-tokenizer. */
const fillShare = 0.85;

export async function withLongInput(deps: LongInputDeps, body: unknown, context: RequestContext, chat: ChatPath): Promise<GatewayResult> {
  const mode = context.longInput ?? 'refuse';
  if (mode === 'refuse') return chat(body as JsonBody, context);
  const request = validateChatRequest(body);
  const refusal = tooLong(() => deps.router.resolve(request));
  if (!refusal) return chat(request, context);
  const window = largestWindow((b) => deps.router.resolve(b), { ...request, messages: [{ role: 'user', content: 'x' }] });
  if (window === undefined) throw refusal;
  const messages = request.messages as Message[];
  if (mode === 'map-reduce') return mapReduce(request, messages, { window, tokenMargin: deps.tokenMargin }, context, (b, c) => withLongInput(deps, b, c, chat));

  const output = request.max_completion_tokens ?? request.max_tokens ?? FIXED_OUTPUT_RESERVATION;
  const cut = truncateMessages(messages, Math.floor((window / deps.tokenMargin) * fillShare) - output);
  if (!cut) throw refusal;
  const result = await chat({ ...request, messages: cut.messages }, { ...context, longInput: 'refuse' });
  const note = `input=truncated:${cut.before}->${cut.after} tokens`;
  return { ...result, meta: { ...result.meta, shaped: result.meta.shaped ? `${result.meta.shaped}; ${note}` : note } };
}

/** Embeddings: `truncate` cuts each input to the largest window; anything else keeps the clear 400. */
export async function withLongEmbeddings(deps: LongInputDeps, body: unknown, context: RequestContext, embed: ChatPath): Promise<GatewayResult> {
  if (context.longInput !== 'truncate') return embed(body as JsonBody, context);
  const request = validateEmbeddingsRequest(body);
  const refusal = tooLong(() => deps.router.resolveEmbedding(request));
  if (!refusal || (typeof request.input !== 'string' && !isStringList(request.input))) {
    if (refusal) throw refusal;
    return embed(request, context);
  }
  const window = largestWindow((b) => deps.router.resolveEmbedding(b), { ...request, input: 'x' });
  if (window === undefined) throw refusal;
  const limit = Math.floor((window / deps.tokenMargin) * fillShare);
  const input = typeof request.input === 'string' ? headTokens(request.input, limit) : request.input.map((text) => headTokens(text, limit));
  const result = await embed({ ...request, input }, context);
  return { ...result, meta: { ...result.meta, shaped: `input=truncated:${limit} tokens` } };
}

const isStringList = (input: unknown): input is string[] => Array.isArray(input) && input.every((x) => typeof x === 'string');

/** The router's context_length_exceeded for this request, or undefined when it fits (other errors pass through). */
function tooLong(resolve: () => unknown): Error | undefined {
  try {
    resolve();
    return undefined;
  } catch (error) {
    if (isFreewayError(error) && error.code === 'context_length_exceeded') return error;
    throw error;
  }
}

/** The largest window among deployments that would serve this request if it were short. */
function largestWindow(resolve: (body: Record<string, unknown>) => { candidates: { model: { contextWindow?: number } }[] }, probe: Record<string, unknown>): number | undefined {
  const { max_tokens: _maxTokens, max_completion_tokens: _maxCompletion, ...rest } = probe;
  try {
    const windows = resolve(rest).candidates.map((d) => d.model.contextWindow ?? 0);
    const largest = Math.max(0, ...windows);
    return largest > 0 ? largest : undefined;
  } catch {
    return undefined;
  }
}
