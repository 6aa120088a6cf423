/**
 * Stream chunks relayed as the upstream's own JSON text, never parsed. Parsing each token's chunk
 * was the largest cost of a streamed answer, yet past the first content Freeway reads nothing in a
 * plain content delta but its model, which it renames in the text.
 *
 * A stream's plain deltas differ only in their text: `{"id":"x",…,"delta":{"content":"` + text +
 * `"},"finish_reason":null}]}`. So a parsed chunk that is such a delta (one choice whose delta has a
 * `content` string, no finish reason, no usage, no error) becomes the stream's `ChunkTemplate`, and a
 * later chunk whose text is the template's with another well-formed JSON string in the content's
 * place is known without parsing: it is an `UnparsedChunk`. Every other field (a `role` repeated in
 * each delta, a provider's own fields) is the template's text, so it is the same in such a chunk.
 * Whoever needs a chunk's content (the cache, once a stream completes) calls `parsedChunk`.
 */
import { jsonTextOf } from './parsed-json-text.js';

type JsonBody = Record<string, unknown>;

const CONTENT_FIELD = '"content":"';

export class ChunkTemplate {
  private renamedTo: { model: string; prefix: string; suffix: string } | undefined;

  /** The text before the content's value (up to its opening quote), and from its closing quote on; where the model's value sits in them. */
  private constructor(
    readonly prefix: string,
    readonly suffix: string,
    private readonly model: { value: string; inPrefix: boolean; at: number },
  ) {}

  /** A template from `chunk`, parsed from `text`, when it is a plain content delta; undefined otherwise. */
  static from(text: string, chunk: JsonBody): ChunkTemplate | undefined {
    const model = chunk['model'];
    const choices = chunk['choices'];
    if (typeof model !== 'string' || chunk['usage'] != null || !Array.isArray(choices) || choices.length !== 1)
      return undefined;
    const choice = choices[0] as { delta?: { content?: unknown } | null; finish_reason?: unknown } | null;
    if (choice?.finish_reason != null || typeof choice?.delta?.content !== 'string') return undefined;
    if (text.includes('\n') || text.includes('\r')) return undefined;
    const field = text.indexOf(CONTENT_FIELD);
    if (field === -1 || text.includes(CONTENT_FIELD, field + 1)) return undefined;
    const start = field + CONTENT_FIELD.length;
    const end = stringEnd(text, start);
    if (end === -1) return undefined;
    // One `"model"` in the text, the top-level one, with a value that needs no escaping: renamed by position.
    const modelAt = text.indexOf(`"model":"${model}"`);
    if (
      modelAt === -1 ||
      text.indexOf('"model"') !== modelAt ||
      text.includes('"model"', modelAt + 1) ||
      JSON.stringify(model).length !== model.length + 2
    )
      return undefined;
    const valueAt = modelAt + '"model":"'.length;
    const inPrefix = modelAt < start;
    return new ChunkTemplate(text.slice(0, start), text.slice(end), {
      value: model,
      inPrefix,
      at: inPrefix ? valueAt : valueAt - end,
    });
  }

  /** `text` as an unparsed chunk when it is this template with another content; undefined otherwise. */
  match(text: string): UnparsedChunk | undefined {
    const { prefix, suffix } = this;
    const end = text.length - suffix.length;
    // Slices compared whole: on the sliced strings an SSE parser hands over, far faster than startsWith.
    if (end < prefix.length || text.slice(end) !== suffix || text.slice(0, prefix.length) !== prefix) return undefined;
    return stringEnd(text, prefix.length) === end ? new UnparsedChunk(text, this) : undefined;
  }

  /** The prefix and suffix naming `model` instead: built once per stream, since every chunk gets the same model. */
  renamed(model: string): { prefix: string; suffix: string } {
    if (this.renamedTo?.model !== model) {
      const { value, inPrefix, at } = this.model;
      const swap = (text: string) =>
        `${text.slice(0, at - 1)}${JSON.stringify(model)}${text.slice(at + value.length + 1)}`;
      this.renamedTo = {
        model,
        prefix: inPrefix ? swap(this.prefix) : this.prefix,
        suffix: inPrefix ? this.suffix : swap(this.suffix),
      };
    }
    return this.renamedTo;
  }

  get upstreamModel(): string {
    return this.model.value;
  }
}

export class UnparsedChunk {
  /** The model the client sees, when it is not the upstream's own. */
  model: string | undefined = undefined;

  constructor(
    readonly text: string,
    private readonly template: ChunkTemplate,
  ) {}

  /** The text the client receives: the upstream's, with the model renamed. */
  toJson(): string {
    const { text, model, template } = this;
    if (model === undefined || model === template.upstreamModel) return text;
    const { prefix, suffix } = template.renamed(model);
    return `${prefix}${text.slice(template.prefix.length, text.length - template.suffix.length)}${suffix}`;
  }
}

/** A chunk of a streamed answer: parsed, or still the upstream's text. */
export type StreamChunk = JsonBody | UnparsedChunk;

/** The text the client receives. */
export const chunkText = (chunk: StreamChunk): string =>
  chunk instanceof UnparsedChunk ? chunk.toJson() : jsonTextOf(chunk);

/** The chunk as an object, for whoever reads its content. */
export function parsedChunk(chunk: StreamChunk): JsonBody {
  if (!(chunk instanceof UnparsedChunk)) return chunk;
  const parsed = JSON.parse(chunk.text) as JsonBody;
  if (chunk.model !== undefined) parsed['model'] = chunk.model;
  return parsed;
}

/** Names `model` in the chunk, parsed or not. */
export function setChunkModel(chunk: StreamChunk, model: string): void {
  if (chunk instanceof UnparsedChunk) chunk.model = model;
  else chunk['model'] = model;
}

const HEX = /^[0-9a-fA-F]{4}$/;

/**
 * Where the JSON string whose value starts at `start` (after its opening quote) closes: the index of
 * its closing quote, or -1 when it is not well-formed (a control character, a bad escape, no end).
 */
function stringEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i;
    if (code < 0x20) return -1;
    if (code !== 0x5c) continue;
    const escaped = text.charCodeAt(++i);
    if (escaped === 0x75 /* u */) {
      if (!HEX.test(text.slice(i + 1, i + 5))) return -1;
      i += 4;
    } else if (!isEscapable(escaped)) return -1;
  }
  return -1;
}

/** `"` `\` `/` `b` `f` `n` `r` `t`: the characters JSON allows after a backslash, besides `u`. */
const isEscapable = (code: number): boolean =>
  code === 0x22 ||
  code === 0x5c ||
  code === 0x2f ||
  code === 0x62 ||
  code === 0x66 ||
  code === 0x6e ||
  code === 0x72 ||
  code === 0x74;
