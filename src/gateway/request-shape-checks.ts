/**
 * Plain checks that a chat or embeddings body is certainly valid under validate-request.ts's zod
 * schemas: the per-request path, without zod's issue and result objects. They may refuse a body
 * the schema accepts (it then goes through zod, which decides), but never accept one it refuses,
 * so they must stay at least as strict as the schemas; `request-shape-checks.test.ts` compares both.
 * They never write an error message.
 */

type Body = Record<string, unknown>;

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

const isObject = (value: unknown): value is Body => typeof value === 'object' && value !== null && !Array.isArray(value);
/** zod's `.int()` means a safe integer. */
const isPositiveInt = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;
const isNumberIn = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
const isAbsentOr = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || value === null || check(value);
const isTyped = (value: unknown): boolean => isObject(value) && typeof value['type'] === 'string';

function isMessage(value: unknown): boolean {
  if (!isObject(value) || !roles.has(value['role'] as string)) return false;
  const content = value['content'];
  if (content === undefined || content === null || typeof content === 'string') return true;
  if (!Array.isArray(content)) return false;
  for (const part of content) if (!isTyped(part)) return false;
  return true;
}

export function isValidChatBody(body: Body): boolean {
  const { model, messages } = body;
  if (typeof model !== 'string' || model.length === 0) return false;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isMessage(message)) return false;
  const { stream, stream_options: streamOptions, tools, stop } = body;
  if (stream !== undefined && typeof stream !== 'boolean') return false;
  if (!isAbsentOr(streamOptions, (o) => isObject(o) && (o['include_usage'] === undefined || typeof o['include_usage'] === 'boolean'))) return false;
  if (!isAbsentOr(body['max_tokens'], isPositiveInt)) return false;
  if (!isAbsentOr(body['max_completion_tokens'], isPositiveInt)) return false;
  if (!isAbsentOr(body['n'], isPositiveInt)) return false;
  if (!isAbsentOr(body['temperature'], (t) => isNumberIn(t, 0, 2))) return false;
  if (!isAbsentOr(body['top_p'], (p) => isNumberIn(p, 0, 1))) return false;
  if (!isAbsentOr(body['seed'], Number.isSafeInteger)) return false;
  if (!isAbsentOr(body['response_format'], isTyped)) return false;
  if (tools !== undefined && !(Array.isArray(tools) && tools.every(isTyped))) return false;
  if (!isAbsentOr(stop, (s) => typeof s === 'string' || (Array.isArray(s) && s.length <= 4 && s.every((x) => typeof x === 'string')))) return false;
  return true;
}

export function isValidEmbeddingsBody(body: Body): boolean {
  const { model, input, encoding_format: format, dimensions } = body;
  if (typeof model !== 'string' || model.length === 0) return false;
  if (format !== undefined && format !== 'float' && format !== 'base64') return false;
  if (dimensions !== undefined && !isPositiveInt(dimensions)) return false;
  if (typeof input === 'string') return true;
  if (!Array.isArray(input) || input.length === 0) return false;
  // One kind per array, as the schema's union has it: strings, numbers, or arrays of numbers.
  if (input.every((x) => typeof x === 'string')) return true;
  if (input.every((x) => typeof x === 'number' && Number.isFinite(x))) return true;
  return input.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number' && Number.isFinite(y)));
}
