/**
 * Turning a stored completion into the chunks of a proper OpenAI SSE stream, and a finished stream
 * back into the completion to store. Pure data in, data out: serializing to `data:` lines and the
 * final `[DONE]` is the server's job, never this module's.
 */
import { parsedChunk, type StreamChunk } from '../core/unparsed-chunk.js';

/** OpenAI-shaped JSON, read defensively: a field of the wrong type is treated as absent. */
export type ChatCompletion = Record<string, unknown>;
export type ChatCompletionChunk = Record<string, unknown>;

interface ToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  [field: string]: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** role chunk → content chunk → tool-call chunk → finish chunk per choice, then usage if asked. */
export function completionToChunks(completion: ChatCompletion, options: { includeUsage?: boolean } = {}): ChatCompletionChunk[] {
  const base: Record<string, unknown> = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  if (completion.system_fingerprint !== undefined) base.system_fingerprint = completion.system_fingerprint;
  // With include_usage every chunk but the last carries `usage: null` (OpenAI's stream contract).
  if (options.includeUsage) base.usage = null;
  const chunk = (choice: Record<string, unknown>): ChatCompletionChunk => ({ ...base, choices: [choice] });
  const chunks: ChatCompletionChunk[] = [];

  const choices: unknown[] = Array.isArray(completion.choices) ? completion.choices : [];
  for (const [position, rawChoice] of choices.entries()) {
    const choice = isObject(rawChoice) ? rawChoice : {};
    const index = typeof choice.index === 'number' ? choice.index : position;
    const message = isObject(choice.message) ? choice.message : {};
    const { role = 'assistant', content, tool_calls: toolCalls, ...extra } = message;
    chunks.push(chunk({ index, delta: { role, content: typeof content === 'string' ? '' : null }, logprobs: null, finish_reason: null }));
    // Extra message fields (refusal, reasoning_content, …) travel in the content delta, unchanged.
    const delta: Record<string, unknown> = Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== null && value !== undefined));
    if (typeof content === 'string' && content !== '') delta.content = content;
    if (Object.keys(delta).length > 0 || choice.logprobs) {
      chunks.push(chunk({ index, delta, logprobs: choice.logprobs ?? null, finish_reason: null }));
    }
    if (Array.isArray(toolCalls) && toolCalls.length > 0) {
      const deltas = toolCalls.map((call, callIndex) => ({ index: callIndex, ...(isObject(call) ? call : {}) }));
      chunks.push(chunk({ index, delta: { tool_calls: deltas }, logprobs: null, finish_reason: null }));
    }
    chunks.push(chunk({ index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? 'stop' }));
  }
  if (options.includeUsage && completion.usage !== undefined) chunks.push({ ...base, choices: [], usage: completion.usage });
  return chunks;
}

interface ChoiceState {
  index: number;
  message: Record<string, unknown>;
  toolCalls: ToolCall[];
  finishReason: unknown;
  logprobs: unknown[] | null;
}

/**
 * Merges stream chunks into one `chat.completion`: text deltas concatenated, tool-call deltas merged
 * by index, the last finish_reason and the usage chunk kept. A stream cut before its finish chunk
 * yields `finish_reason: null`, which the cache refuses to store.
 */
export function chunksToCompletion(chunks: Iterable<StreamChunk>): ChatCompletion {
  const header: Record<string, unknown> = {};
  const choices = new Map<number, ChoiceState>();
  let usage: unknown;

  for (const streamed of chunks) {
    const chunk = parsedChunk(streamed);
    for (const field of ['id', 'created', 'model', 'system_fingerprint'] as const) {
      if (header[field] === undefined && chunk[field] !== undefined && chunk[field] !== null) header[field] = chunk[field];
    }
    if (isObject(chunk.usage)) usage = chunk.usage;
    for (const rawChoice of Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : []) {
      if (!isObject(rawChoice)) continue;
      const index = typeof rawChoice.index === 'number' ? rawChoice.index : 0;
      let state = choices.get(index);
      if (!state) {
        state = { index, message: {}, toolCalls: [], finishReason: null, logprobs: null };
        choices.set(index, state);
      }
      if (isObject(rawChoice.delta)) mergeDelta(state, rawChoice.delta);
      if (isObject(rawChoice.logprobs) && Array.isArray(rawChoice.logprobs.content)) {
        state.logprobs = [...(state.logprobs ?? []), ...(rawChoice.logprobs.content as unknown[])];
      }
      if (rawChoice.finish_reason !== null && rawChoice.finish_reason !== undefined) state.finishReason = rawChoice.finish_reason;
    }
  }

  const merged = [...choices.values()]
    .sort((a, b) => a.index - b.index)
    .map((state) => {
      const message: Record<string, unknown> = { role: 'assistant', content: null, ...state.message };
      if (state.toolCalls.length > 0) {
        message.tool_calls = state.toolCalls.filter(Boolean);
        // Providers open tool-call streams with `content: ''`; the whole answer says null.
        if (message.content === '') message.content = null;
      }
      const choice: Record<string, unknown> = { index: state.index, message, finish_reason: state.finishReason };
      choice.logprobs = state.logprobs ? { content: state.logprobs } : null;
      return choice;
    });
  const completion: ChatCompletion = { ...header, object: 'chat.completion', choices: merged };
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

function mergeDelta(state: ChoiceState, delta: Record<string, unknown>): void {
  for (const [field, value] of Object.entries(delta)) {
    if (value === null || value === undefined) continue;
    if (field === 'tool_calls' && Array.isArray(value)) {
      for (const [position, call] of value.entries()) if (isObject(call)) mergeToolCall(state.toolCalls, call, position);
    } else if (field === 'role') {
      state.message.role = value;
    } else if (typeof value === 'string') {
      const before = state.message[field];
      state.message[field] = typeof before === 'string' ? before + value : value;
    } else {
      state.message[field] = value;
    }
  }
}

function mergeToolCall(calls: ToolCall[], delta: Record<string, unknown>, position: number): void {
  const index = typeof delta.index === 'number' ? delta.index : position;
  const call: ToolCall = calls[index] ?? {};
  calls[index] = call;
  for (const [field, value] of Object.entries(delta)) {
    if (field === 'index' || value === null || value === undefined) continue;
    if (field === 'function' && isObject(value)) {
      const target = (call.function ??= {});
      // Some providers repeat the whole name in every delta: append only what is new.
      if (typeof value.name === 'string' && value.name !== target.name) target.name = (target.name ?? '') + value.name;
      // Arguments arrive as JSON text in pieces.
      if (typeof value.arguments === 'string') target.arguments = (target.arguments ?? '') + value.arguments;
    } else {
      call[field] = value;
    }
  }
}

/**
 * Passes a stream through unchanged and, only if it ends normally, hands the chunks to `onComplete`
 * (the place to `chunksToCompletion` and store). An error or an early exit stores nothing.
 */
export async function* collectStream<Chunk>(source: AsyncIterable<Chunk>, onComplete: (chunks: Chunk[]) => void | Promise<void>): AsyncGenerator<Chunk> {
  const seen: Chunk[] = [];
  for await (const chunk of source) {
    seen.push(chunk);
    yield chunk;
  }
  await onComplete(seen);
}
