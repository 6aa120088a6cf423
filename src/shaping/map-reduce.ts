/**
 * `x-freeway-long-input: map-reduce`: the longest message is split into chunks that fit the chosen
 * model with room for the notes it must write; each chunk is read by its own call (concurrently, at
 * low priority, through the gateway's own chat path, so routing, quota and failover apply); a final
 * call answers the request from the notes, streamed when the client asked. Usage is summed and
 * attempts count every call. It builds prompts and combines answers; it never reserves quota itself.
 */
import { UnparsedChunk, type StreamChunk } from '../core/unparsed-chunk.js';
import type { GatewayResult, JsonBody, RequestContext } from '../gateway/types.js';
import { countTokens, splitText } from './text-chunks.js';
import { messageTokens, textOf, type Message } from './truncate-input.js';

export type ChatPath = (body: JsonBody, context: RequestContext) => Promise<GatewayResult>;

export interface MapReducePlan {
  /** The chosen model's context window, in tokens. */
  window: number;
  /** Multiplier on token estimates (quota.tokenMargin). */
  tokenMargin: number;
}

/** Notes per chunk: enough for a summary of a 10–20k-token part, small enough that many fit the final call. */
const notesTokens = 400;
/** Chunk calls in flight at once: enough to overlap latency, few enough to leave quota to interactive traffic. */
const parallelChunks = 4;
/**
 * Share of the window a chunk may fill, as counted by gpt-tokenizer. Other vocabularies count the
 * same text differently (the simulator counts 4 characters a token, Llama- and Gemma-family tokenizers
 * often 10–30% more than OpenAI's), so chunks leave that much room besides the margin.
 */
const chunkShare = 0.55;

/** Keys of the client's body that do not belong in a chunk call (the chunk call is plain text in, notes out). */
const notForChunks = ['messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'response_format', 'n', 'max_tokens', 'max_completion_tokens', 'logprobs', 'top_logprobs'];

export async function mapReduce(request: JsonBody, messages: Message[], plan: MapReducePlan, context: RequestContext, chat: ChatPath): Promise<GatewayResult> {
  const longestIndex = indexOfLongest(messages);
  const long = messages[longestIndex]!;
  const text = textOf(long) ?? '';
  const others = messages.filter((_, i) => i !== longestIndex);
  const system = others.filter((m) => m.role === 'system' || m.role === 'developer');
  const ask = instructionOf(others, text);
  const frame = system.reduce((sum, m) => sum + messageTokens(m), 0) + countTokens(mapPrompt('', 99, 99, ask)) + 16;
  const chunkTokens = Math.floor(((plan.window / plan.tokenMargin) * chunkShare) - frame - notesTokens);
  if (chunkTokens < 256) return chat({ ...request, messages }, context); // the frame alone fills the window: let the router say so
  const chunks = splitText(text, chunkTokens);

  const base: JsonBody = Object.fromEntries(Object.entries(request).filter(([key]) => !notForChunks.includes(key)));
  const chunkContext: RequestContext = { ...context, priority: 'low', longInput: 'refuse' };
  const notes: string[] = new Array<string>(chunks.length).fill('');
  let attempts = 0;
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      const body = { ...base, max_tokens: notesTokens, messages: [...system, { role: 'user', content: mapPrompt(chunks[index]!, index + 1, chunks.length, ask) }] };
      const result = await chat(body, chunkContext);
      attempts += result.meta.attempts;
      if (result.kind !== 'json') throw new Error('a chunk call answered with a stream');
      notes[index] = contentOf(result.body);
      addUsage(usage, result.body['usage']);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelChunks, chunks.length) }, worker));

  // The notes take the long message's place; the rest of the conversation stays as it was.
  const finalMessages = messages.map((m, i) => (i === longestIndex ? { ...m, content: reducePrompt(notes, ask) } : m));
  // The final call may itself be too long (very many notes): it goes through the same pre-step again.
  const final = await chat({ ...request, messages: finalMessages }, { ...context, longInput: 'map-reduce' });
  const meta = { ...final.meta, attempts: final.meta.attempts + attempts, shaped: joinShaped(final.meta.shaped, `input=map-reduce:${chunks.length} parts`) };
  if (final.kind === 'json') {
    addUsage(usage, final.body['usage']);
    return { kind: 'json', meta, body: { ...final.body, usage } };
  }
  return { kind: 'stream', meta, chunks: withSummedUsage(final.chunks, usage) };
}

function indexOfLongest(messages: Message[]): number {
  let best = 0;
  let bestTokens = -1;
  messages.forEach((m, i) => {
    const tokens = (textOf(m) ?? '').length;
    if (tokens > bestTokens) {
      best = i;
      bestTokens = tokens;
    }
  });
  return best;
}

/** What the client wants done: the last other user message, else the head and tail of the long one (where an ask sits). */
function instructionOf(others: Message[], text: string): string {
  const lastUser = others.filter((m) => m.role === 'user').at(-1);
  const asked = lastUser ? textOf(lastUser) : undefined;
  if (asked && asked.trim()) return asked.slice(0, 2_000);
  if (text.length <= 1_200) return text;
  return `${text.slice(0, 600)} … ${text.slice(-600)}`;
}

function mapPrompt(chunk: string, part: number, parts: number, ask: string): string {
  return (
    `This is part ${part} of ${parts} of a document too long to read at once. Take concise notes on everything in this part ` +
    `that helps with the request below; write notes, not a final answer.\n\nRequest: ${ask}\n\n--- Part ${part} of ${parts} ---\n${chunk}`
  );
}

function reducePrompt(notes: string[], ask: string): string {
  const parts = notes.map((n, i) => `## Notes on part ${i + 1} of ${notes.length}\n${n.trim()}`).join('\n\n');
  return `The input was too long for one call, so it was read in ${notes.length} parts. These are the notes taken from each part, in order:\n\n${parts}\n\nUsing these notes, answer the request: ${ask}`;
}

function contentOf(body: JsonBody): string {
  const choices = body['choices'] as { message?: { content?: unknown } }[] | undefined;
  const content = choices?.[0]?.message?.content;
  return typeof content === 'string' ? content : '';
}

type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

function addUsage(sum: Usage, value: unknown): void {
  const usage = value as Partial<Usage> | undefined;
  if (!usage) return;
  sum.prompt_tokens += usage.prompt_tokens ?? 0;
  sum.completion_tokens += usage.completion_tokens ?? 0;
  sum.total_tokens += usage.total_tokens ?? 0;
}

/** The stream's usage chunk (when the client asked for one) reports every call, not only the last. */
async function* withSummedUsage(batches: AsyncIterable<readonly StreamChunk[]>, mapped: Usage): AsyncGenerator<readonly StreamChunk[]> {
  for await (const batch of batches) {
    yield batch.map((chunk) => {
      // An unparsed chunk never carries usage (core/unparsed-chunk.ts).
      if (chunk instanceof UnparsedChunk || !chunk['usage']) return chunk;
      const total = { ...mapped };
      addUsage(total, chunk['usage']);
      return { ...chunk, usage: total };
    });
  }
}

function joinShaped(a: string | undefined, b: string): string {
  return a ? `${a}; ${b}` : b;
}
