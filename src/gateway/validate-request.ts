/**
 * Step 1 of the pipeline: check a request body against OpenAI's shape before anything is spent on it.
 * Unknown fields pass through untouched (providers add their own); known fields must be well-formed.
 * Errors name the offending field in `param`.
 *
 * Two layers, one meaning: the zod schemas below (exported for the tests that hold both layers together) are the definition and write every error message;
 * `request-shape-checks.ts` answers "certainly valid" for the usual body without building zod's
 * result objects. A body it does not vouch for goes through zod, so no message depends on it.
 */
import { z } from 'zod';
import { FreewayError } from '../core/errors.js';
import { isValidChatBody, isValidEmbeddingsBody } from './request-shape-checks.js';

const contentPart = z.looseObject({ type: z.string() });
const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
});
const positiveInt = z.number().int().positive();

export const chatSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: positiveInt.nullable().optional(),
  max_completion_tokens: positiveInt.nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  n: positiveInt.nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string() })).optional(),
  response_format: z.looseObject({ type: z.string() }).nullable().optional(),
  seed: z.number().int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
});

export const embeddingsSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: positiveInt.optional(),
});

export type ChatRequest = z.infer<typeof chatSchema>;
export type EmbeddingsRequest = z.infer<typeof embeddingsSchema>;

function validate<T>(schema: z.ZodType<T>, body: unknown, isCertainlyValid: (body: Record<string, unknown>) => boolean): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new FreewayError('invalid_request', 'The request body must be a JSON object');
  }
  // The body is the client's parsed JSON and already has the schema's shape: it is the request.
  if (isCertainlyValid(body as Record<string, unknown>)) return body as T;
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || null;
  const detail = issue?.message ?? 'invalid';
  throw new FreewayError('invalid_request', `Invalid value for '${param ?? 'body'}': ${detail}`, { param });
}

export const validateChatRequest = (body: unknown): ChatRequest => validate(chatSchema, body, isValidChatBody);
export const validateEmbeddingsRequest = (body: unknown): EmbeddingsRequest => validate(embeddingsSchema, body, isValidEmbeddingsBody);
