/**
 * Deterministic answers: the same prompt to the same model under the same seed always yields the same
 * words, and the usage counts are exactly the pieces generated. A prompt may ask for a length with
 * `sim:tokens=N` (tests use it to hit token limits). Never touches the network or the clock.
 */
import { hashString, keyedRandom } from './seeded-random.js';

const WORDS = (
  'the a free tier model answers quickly with quota left today and tomorrow gateway routes every request ' +
  'to provider that still has capacity when limits reset window tokens stream fast steady simple ' +
  'reliable fallback cache plan budget signal header retry patience careful honest small large light clear'
).split(' ');

/** Characters per token in the simulator's own count: a plain heuristic, not a vendor vocabulary. */
const CHARS_PER_TOKEN = 4;
const TOKENS_PER_MESSAGE = 3;

export interface PromptFacts {
  /** Everything the answer depends on, as one string. */
  text: string;
  tokens: number;
  /** Requested length from `sim:tokens=N`, if any. */
  requestedLength?: number;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && 'text' in part ? String((part as { text: unknown }).text) : '',
      )
      .join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

export function countTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function readPrompt(messages: unknown[]): PromptFacts {
  let text = '';
  let tokens = TOKENS_PER_MESSAGE;
  for (const message of messages) {
    const record = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
    const content = contentText(record.content);
    text += `${String(record.role)}\u0001${content}\u0002`;
    tokens += TOKENS_PER_MESSAGE + countTextTokens(content);
  }
  const match = /sim:tokens=(\d{1,6})/.exec(text);
  return match ? { text, tokens, requestedLength: Number(match[1]) } : { text, tokens };
}

export interface Answer {
  /** The pieces, one per token; joined they are the content. */
  pieces: string[];
  finishReason: 'stop' | 'length';
}

export function generateAnswer(options: {
  seed: number;
  modelId: string;
  prompt: PromptFacts;
  maxTokens: number;
  json: boolean;
}): Answer {
  const random = keyedRandom(options.seed, options.modelId, options.prompt.text);
  const natural = options.prompt.requestedLength ?? 8 + Math.floor(random() * 56);
  const overhead = options.json ? 2 : 0;
  const finished = natural + overhead <= options.maxTokens;
  const words = finished ? natural : Math.max(0, options.maxTokens - (options.json ? 1 : 0));
  const pieces: string[] = [];
  if (options.json) pieces.push('{"answer": "');
  for (let i = 0; i < words; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    pieces.push(i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`);
  }
  if (finished) {
    if (words > 0) pieces[pieces.length - 1] += '.';
    if (options.json) pieces.push('"}');
  }
  return { pieces, finishReason: finished ? 'stop' : 'length' };
}

/** A unit vector of `dimensions` numbers, determined by the text, the model and the seed. */
export function embed(seed: number, modelId: string, text: string, dimensions: number): number[] {
  const random = keyedRandom(seed, modelId, hashString(text));
  const vector = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => Number((x / norm).toFixed(6)));
}
