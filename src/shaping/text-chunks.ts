/**
 * Token-counted text splitting for long inputs: pieces of at most N tokens cut at paragraph
 * boundaries, then sentence boundaries, and only as a last resort inside a sentence. Counts use
 * gpt-tokenizer (the project's tokenizer, as in routing/token-estimate.ts); callers leave headroom
 * for vocabularies that count more. Pure functions: no I/O, no clock.
 */
import { countTokens, decode, encode } from 'gpt-tokenizer';

export { countTokens };

const paragraphBreak = /\n[ \t]*\n/;
const sentenceEnd = /(?<=[.!?;:])\s+/;

/** Splits `text` into pieces of at most `maxTokens` tokens each, joined back without loss of words. */
export function splitText(text: string, maxTokens: number): string[] {
  const pieces: string[] = [];
  let current: string[] = [];
  let currentTokens = 0;
  const flush = () => {
    if (current.length > 0) pieces.push(current.join('\n\n'));
    current = [];
    currentTokens = 0;
  };
  for (const paragraph of text.split(paragraphBreak)) {
    if (paragraph.trim() === '') continue;
    const tokens = countTokens(paragraph) + 2;
    if (tokens > maxTokens) {
      flush();
      pieces.push(...splitParagraph(paragraph, maxTokens));
      continue;
    }
    if (currentTokens + tokens > maxTokens) flush();
    current.push(paragraph);
    currentTokens += tokens;
  }
  flush();
  return pieces;
}

function splitParagraph(paragraph: string, maxTokens: number): string[] {
  const pieces: string[] = [];
  let current = '';
  let currentTokens = 0;
  for (const sentence of paragraph.split(sentenceEnd)) {
    const tokens = countTokens(sentence) + 1;
    if (tokens > maxTokens) {
      if (current) pieces.push(current);
      current = '';
      currentTokens = 0;
      pieces.push(...hardSplit(sentence, maxTokens));
      continue;
    }
    if (currentTokens + tokens > maxTokens && current) {
      pieces.push(current);
      current = '';
      currentTokens = 0;
    }
    current = current ? `${current} ${sentence}` : sentence;
    currentTokens += tokens;
  }
  if (current) pieces.push(current);
  return pieces;
}

/** A sentence longer than a whole piece: cut by tokens. */
function hardSplit(text: string, maxTokens: number): string[] {
  const tokens = encode(text);
  const pieces: string[] = [];
  for (let i = 0; i < tokens.length; i += maxTokens) pieces.push(decode(tokens.slice(i, i + maxTokens)));
  return pieces;
}

/** The first `maxTokens` tokens of `text` (for embeddings inputs). */
export function headTokens(text: string, maxTokens: number): string {
  const tokens = encode(text);
  return tokens.length <= maxTokens ? text : decode(tokens.slice(0, maxTokens));
}

/**
 * Keeps the beginning and the end of `text` within `maxTokens`, cutting whole paragraphs out of the
 * middle (a marker says how many); a text of one huge paragraph keeps its head and tail by sentences.
 */
export function cutMiddle(text: string, maxTokens: number): string {
  const paragraphs = text.split(paragraphBreak);
  const units = paragraphs.length > 2 ? paragraphs : text.split(sentenceEnd);
  const joiner = paragraphs.length > 2 ? '\n\n' : ' ';
  const marker = (n: number) => `[… ${n} ${paragraphs.length > 2 ? 'paragraphs' : 'sentences'} omitted to fit the context window …]`;
  const budget = maxTokens - 24;
  const head: string[] = [];
  const tail: string[] = [];
  let used = 0;
  let front = 0;
  let back = units.length - 1;
  // Alternate: the end of a message usually carries the ask, the start its framing.
  for (let turn = 0; front <= back; turn++) {
    const fromEnd = turn % 2 === 0;
    const unit = units[fromEnd ? back : front] ?? '';
    const tokens = countTokens(unit) + 1;
    if (used + tokens > budget) break;
    used += tokens;
    if (fromEnd) tail.unshift(units[back--] ?? '');
    else head.push(units[front++] ?? '');
  }
  const omitted = back - front + 1;
  if (omitted <= 0) return text;
  if (head.length === 0 && tail.length === 0) return headTokens(text, budget);
  return [...head, marker(omitted), ...tail].join(joiner);
}
