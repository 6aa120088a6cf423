/**
 * Simulated providers that refuse parameters the way real ones do: a fleet file says, per provider or
 * per model, `rejects: {logprobs: true, temperature: {max: 1}, stop: {maxItems: 4}, tools: true}` and
 * a request carrying such a parameter (or a value outside the range) gets that dialect's own 400 body.
 * Written independently of src/shaping, which must learn from these answers without sharing code.
 *
 * Bodies, per dialect (wording from public reports; shapes as in provider-signals.md's fixtures):
 * - openai (default): OpenAI's `Unrecognized request argument supplied: X` and
 *   `Invalid value for 'X': expected a number ≤ N.` with `param` set.
 * - groq: `` `X` is not supported with this model `` (groq/groq-python#25), no param; ranges as
 *   "'X' : number must be at most N".
 * - cerebras: top-level `{message, type, param, code}` fields.
 * - gemini: `{error: {code: 400, message, status: 'INVALID_ARGUMENT'}}`, no param, the range in words.
 */
import type { SimResponse } from './error-responses.js';

/** `true`: every value is refused; a range: numbers outside it are; maxItems: longer lists are. */
export type SimRejection = true | { min?: number; max?: number; maxItems?: number };
export type SimRejects = Record<string, SimRejection>;

type Fail = (path: string, message: string) => never;

export function parseRejects(value: unknown, path: string, fail: Fail): SimRejects {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected a mapping of parameter: true | {min, max, maxItems}');
  const rejects: SimRejects = {};
  for (const [param, rule] of Object.entries(value as Record<string, unknown>)) {
    if (rule === true) {
      rejects[param] = true;
      continue;
    }
    if (typeof rule !== 'object' || rule === null) fail(`${path}.${param}`, 'expected true or {min, max, maxItems}');
    const range: { min?: number; max?: number; maxItems?: number } = {};
    for (const bound of ['min', 'max', 'maxItems'] as const) {
      const n = (rule as Record<string, unknown>)[bound];
      if (n === undefined) continue;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail(`${path}.${param}.${bound}`, 'expected a number');
      range[bound] = n;
    }
    rejects[param] = range;
  }
  return rejects;
}

/** The provider's 400 for the first refused parameter of `body`, or undefined when it accepts them all. */
export function paramRejection(dialect: string, modelId: string, rejects: SimRejects | undefined, body: Record<string, unknown>): SimResponse | undefined {
  if (!rejects) return undefined;
  for (const [param, rule] of Object.entries(rejects)) {
    const value = body[param];
    if (value === undefined || value === null || value === false) continue;
    if (rule === true) return refusal(dialect, modelId, param);
    if (rule.maxItems !== undefined && Array.isArray(value) && value.length > rule.maxItems) return tooMany(dialect, param, rule.maxItems);
    if (typeof value === 'number' && ((rule.max !== undefined && value > rule.max) || (rule.min !== undefined && value < rule.min))) {
      return outOfRange(dialect, param, value, rule.min ?? 0, rule.max);
    }
    if (typeof value === 'boolean' && rule.max !== undefined && rule.max < 1) return refusal(dialect, modelId, param);
  }
  return undefined;
}

const response = (body: unknown): SimResponse => ({ status: 400, headers: {}, body: JSON.stringify(body) });
const openAi = (message: string, param: string | null, code: string | null) =>
  response({ error: { message, type: 'invalid_request_error', param, code } });

function refusal(dialect: string, modelId: string, param: string): SimResponse {
  switch (dialect) {
    case 'groq':
      return response({ error: { message: `\`${param}\` is not supported with this model`, type: 'invalid_request_error' } });
    case 'cerebras':
      return response({ message: `Unsupported parameter: '${param}' is not supported by this model.`, type: 'invalid_request_error', param, code: 'wrong_api_format' });
    case 'gemini':
      return response({ error: { code: 400, message: `Invalid JSON payload: ${param} is not supported for models/${modelId}.`, status: 'INVALID_ARGUMENT' } });
    default:
      return openAi(`Unrecognized request argument supplied: ${param}`, null, null);
  }
}

function outOfRange(dialect: string, param: string, value: number, min: number, max: number | undefined): SimResponse {
  const top = max ?? Number.MAX_SAFE_INTEGER;
  switch (dialect) {
    case 'groq':
      return response({ error: { message: `'${param}' : number must be at most ${top}`, type: 'invalid_request_error' } });
    case 'cerebras':
      return response({ message: `${param} must be less than or equal to ${top}`, type: 'invalid_request_error', param, code: 'wrong_api_format' });
    case 'gemini':
      return response({
        error: { code: 400, message: `Unable to submit request because it has a ${param} value of ${value} but the supported range is from ${min} (inclusive) to ${top} (inclusive). Update the value and try again.`, status: 'INVALID_ARGUMENT' },
      });
    default:
      return openAi(`Invalid value for '${param}': expected a number ≤ ${top}.`, param, 'invalid_value');
  }
}

function tooMany(dialect: string, param: string, max: number): SimResponse {
  return dialect === 'cerebras'
    ? response({ message: `'${param}' may contain at most ${max} items`, type: 'invalid_request_error', param, code: 'wrong_api_format' })
    : openAi(`Invalid '${param}': array too long. Expected an array with maximum length ${max}.`, param, 'array_above_max_length');
}
