/**
 * `x-freeway-long-input: truncate`: fits a conversation into a token budget by keeping every system
 * message and the end of the conversation, dropping whole messages from the middle (oldest first),
 * and, when the newest message alone is too long, cutting the middle of that message at paragraph
 * boundaries. Pure: it returns new messages and never calls anything.
 */
import { countTokens, cutMiddle } from './text-chunks.js';

export type Message = Record<string, unknown> & { role: string; content?: unknown };

/** Framing tokens per message, as OpenAI counts them. */
const perMessage = 4;

export function textOf(message: Message): string | undefined {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part.type !== 'text' || typeof part.text !== 'string') return undefined; // an image: not plain text
    text += part.text;
  }
  return text;
}

export const messageTokens = (message: Message): number => perMessage + countTokens(textOf(message) ?? JSON.stringify(message.content ?? ''));

export interface Truncation {
  messages: Message[];
  before: number;
  after: number;
}

/** Undefined when even the system messages exceed the budget (nothing sensible is left to send). */
export function truncateMessages(messages: Message[], budget: number): Truncation | undefined {
  const counted = messages.map((message) => ({ message, tokens: messageTokens(message) }));
  const before = counted.reduce((sum, m) => sum + m.tokens, 0);
  const isSystem = (m: Message) => m.role === 'system' || m.role === 'developer';
  const systemTokens = counted.filter((m) => isSystem(m.message)).reduce((sum, m) => sum + m.tokens, 0);
  let room = budget - systemTokens;
  if (room <= perMessage * 4) return undefined;

  const rest = counted.filter((m) => !isSystem(m.message));
  const kept = new Set<Message>();
  for (let i = rest.length - 1; i >= 0; i--) {
    const entry = rest[i]!;
    if (entry.tokens <= room) {
      kept.add(entry.message);
      room -= entry.tokens;
      continue;
    }
    // The newest message does not fit on its own: keep its head and tail instead.
    if (kept.size === 0) {
      const text = textOf(entry.message);
      if (text === undefined) return undefined;
      const cut = { ...entry.message, content: cutMiddle(text, room - perMessage) };
      kept.add(cut);
      rest[i] = { message: cut, tokens: messageTokens(cut) };
      room -= rest[i]!.tokens;
    }
    break;
  }
  let result = messages.map((m) => rest.find((r) => r.message === m || (kept.has(r.message) && sameSlot(messages, m, r.message)))?.message ?? m);
  result = result.filter((m) => isSystem(m) || kept.has(m));
  // A tool answer whose call was cut away is dropped with it.
  while (result.length > 0) {
    const first = result.findIndex((m) => !isSystem(m));
    if (first >= 0 && result[first]!.role === 'tool') result.splice(first, 1);
    else break;
  }
  const after = result.reduce((sum, m) => sum + messageTokens(m), 0);
  return { messages: result, before, after };
}

/** The cut copy stands in the slot of the message it was cut from (the last non-system one). */
function sameSlot(messages: Message[], original: Message, cut: Message): boolean {
  const lastIndex = messages.findLastIndex((m) => m.role !== 'system' && m.role !== 'developer');
  return messages[lastIndex] === original && cut !== original && cut.role === original.role;
}
