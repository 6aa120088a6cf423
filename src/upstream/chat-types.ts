/**
 * The few shapes of OpenAI's chat-completion stream that the adapter must understand to decide when
 * content has started and where usage is. Everything else in a chunk passes through untouched.
 */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [field: string]: unknown;
}

export interface ChunkDelta {
  role?: string;
  content?: string | null;
  tool_calls?: unknown[];
  refusal?: string | null;
  [field: string]: unknown;
}

export interface ChunkChoice {
  index: number;
  delta?: ChunkDelta;
  finish_reason?: string | null;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id?: string;
  object?: string;
  model?: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  [field: string]: unknown;
}

/**
 * True when a chunk carries something a client would show: text, reasoning, a tool call, a refusal,
 * or a finish (an empty answer is still an answer). Role-only deltas and the usage chunk are not.
 */
export function isContentChunk(chunk: ChatCompletionChunk): boolean {
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (delta) {
      if (isNonEmptyString(delta.content) || isNonEmptyString(delta.refusal)) return true;
      if (isNonEmptyString(delta['reasoning']) || isNonEmptyString(delta['reasoning_content'])) return true;
      if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return true;
      if (delta['function_call'] != null) return true;
    }
    if (choice.finish_reason != null) return true;
  }
  return false;
}

/** The chunk that `stream_options.include_usage` adds just before `[DONE]`: no choices, only usage. */
export const isUsageOnlyChunk = (chunk: ChatCompletionChunk): boolean => chunk.choices.length === 0 && chunk.usage != null;

const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
