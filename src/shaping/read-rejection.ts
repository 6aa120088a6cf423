/**
 * Reads a provider's 400 answer for what it rejected: a parameter named in `param` or in the message,
 * and, when the message gives one, the range it accepts. It understands the body shapes providers use
 * (OpenAI's `{error:{message,param}}`, Cerebras' top-level fields, Gemini's list and `status`), and
 * never guesses: a 400 that names nothing it knows teaches nothing.
 */
import { hardNeeds, isSoftParam, type HardNeed, type ParamRule, type SoftParam } from './soft-params.js';

export type Lesson =
  | { kind: 'soft'; param: SoftParam; rule: ParamRule; evidence: string }
  | { kind: 'hard'; need: HardNeed; evidence: string };

interface ErrorFields {
  message: string;
  param: string | undefined;
}

/** The message and `param` of a 400 body in any of the shapes providers send. */
export function errorFields(bodyText: string): ErrorFields | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return bodyText.trim() ? { message: bodyText.slice(0, 500), param: undefined } : undefined;
  }
  const root: unknown = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  if (typeof root !== 'object' || root === null) return undefined;
  const record = root as Record<string, unknown>;
  const inner = typeof record['error'] === 'object' && record['error'] !== null ? (record['error'] as Record<string, unknown>) : record;
  const message = typeof inner['message'] === 'string' ? inner['message'] : typeof record['detail'] === 'string' ? record['detail'] : undefined;
  if (message === undefined) return undefined;
  const param = typeof inner['param'] === 'string' ? inner['param'] : undefined;
  return { message, param };
}

const unsupportedWords = /not (?:supported|allowed|permitted|available|enabled)|unsupported|unrecognized|unknown (?:field|parameter|argument)|extra (?:inputs|fields)|must be (?:false|null|omitted|unset)|does not support|is not valid|invalid field/i;
const hardNeedWords: Record<HardNeed, RegExp> = {
  tools: /\btools?\b|tool[_ ]choice|function[_ ]calling|tool[_ ]use/i,
  response_format: /response_format|json[_ ]schema|structured output/i,
  images: /\bimages?\b|image_url|vision|multimodal/i,
};

/**
 * What a 400 teaches about `body` sent to one deployment, or undefined when it names nothing the
 * request carried. Only parameters the request really sent are considered: a message that mentions
 * `temperature` in passing cannot strip a parameter that was never there.
 */
export function readRejection(bodyText: string, body: Record<string, unknown>): Lesson | undefined {
  const fields = errorFields(bodyText);
  if (!fields) return undefined;
  const evidence = fields.message.replace(/\s+/g, ' ').slice(0, 240);
  const named = fields.param?.replace(/^body\./, '');

  const hard = hardNeedNamed(named, fields.message, body);
  if (hard) return { kind: 'hard', need: hard, evidence };

  const param = softParamNamed(named, fields.message, body);
  if (!param) return undefined;
  return { kind: 'soft', param, rule: ruleFor(param, body[param], fields.message), evidence };
}

function hardNeedNamed(named: string | undefined, message: string, body: Record<string, unknown>): HardNeed | undefined {
  for (const need of hardNeeds) {
    const sent = need === 'images' ? JSON.stringify(body['messages'] ?? '').includes('"image_url"') : body[need] !== undefined;
    if (!sent) continue;
    if (named === need || (need === 'tools' && named === 'tool_choice')) return need;
    if (hardNeedWords[need].test(message) && unsupportedWords.test(message)) return need;
  }
  return undefined;
}

function softParamNamed(named: string | undefined, message: string, body: Record<string, unknown>): SoftParam | undefined {
  if (named && isSoftParam(named) && body[named] !== undefined) return named;
  // The first sent soft parameter the message names as a word (quoted, back-ticked or bare).
  let best: { param: SoftParam; at: number } | undefined;
  for (const key of Object.keys(body)) {
    if (!isSoftParam(key)) continue;
    const match = new RegExp(`(^|[^a-z_])${key}($|[^a-z_])`, 'i').exec(message);
    if (match && (!best || match.index < best.at)) best = { param: key, at: match.index };
  }
  return best?.param;
}

const number = String.raw`(-?\d+(?:\.\d+)?)`;
const upperBound = new RegExp(
  String.raw`(?:≤|<=|less than or equal to|at most|no (?:more|greater) than|not exceed|maximum(?: value)?(?: of| is)?|max(?:imum)?:?|up to|lower than or equal to)\s*${number}`,
  'i',
);
const lowerBound = new RegExp(String.raw`(?:≥|>=|greater than or equal to|at least|minimum(?: value)?(?: of| is)?|min:?)\s*${number}`, 'i');
const between = new RegExp(String.raw`between\s*${number}\s*(?:and|to|-)\s*${number}|\[\s*${number}\s*,\s*${number}\s*\]`, 'i');
/** Gemini/Vertex: `the supported range is from 0 (inclusive) to 2.0001 (exclusive)`. */
const fromTo = new RegExp(String.raw`from\s*${number}\s*(?:\((inclusive|exclusive)\))?\s*to\s*${number}\s*(?:\((inclusive|exclusive)\))?`, 'i');
const lessThan = new RegExp(String.raw`(?:less than|below|smaller than|<)\s*${number}`, 'i');

/** The rule the message supports: a range when it states one for a number, a shorter list for stop, else drop. */
function ruleFor(param: SoftParam, value: unknown, message: string): ParamRule {
  const range = readRange(message);
  if (param === 'stop') {
    if (Array.isArray(value) && range.max !== undefined && range.max >= 1 && !unsupportedWords.test(message)) {
      return { action: 'limit-items', max: Math.floor(range.max) };
    }
    return { action: 'drop' };
  }
  const numeric = typeof value === 'number' || (typeof value === 'boolean' && range.max !== undefined);
  if (numeric && (range.min !== undefined || range.max !== undefined) && !unsupportedWords.test(message)) {
    return { action: 'clamp', ...(range.min !== undefined ? { min: range.min } : {}), ...(range.max !== undefined ? { max: range.max } : {}) };
  }
  return { action: 'drop' };
}

function readRange(message: string): { min?: number; max?: number } {
  const span = fromTo.exec(message);
  if (span) {
    const high = Number(span[3]);
    return { min: Number(span[1]), max: span[4] === 'exclusive' ? high - 0.01 : high };
  }
  const pair = between.exec(message);
  if (pair) {
    const low = Number(pair[1] ?? pair[3]);
    const high = Number(pair[2] ?? pair[4]);
    return { min: Math.min(low, high), max: Math.max(low, high) };
  }
  const upper = upperBound.exec(message);
  const lower = lowerBound.exec(message);
  const strict = lessThan.exec(message);
  const result: { min?: number; max?: number } = {};
  if (upper) result.max = Number(upper[1]);
  // A strict bound: just under it (integers are floored on application, so `< 2` keeps 1).
  else if (strict) result.max = Number(strict[1]) - 0.01;
  if (lower) result.min = Number(lower[1]);
  return result;
}
