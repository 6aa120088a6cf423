/**
 * Reads the error body of any provider (OpenAI, Groq, Cerebras, Gemini, OpenRouter, Cloudflare,
 * Together, Mistral, Anthropic) into one small shape, plus the wait hints some write only in text.
 * It owns parsing, never deciding: classification lives in classify-failure.ts. It must never
 * throw on a malformed body, since the body is whatever a failing server chose to send.
 */

export interface UpstreamErrorDetails {
  /** The human message, when the body has one. */
  message?: string;
  /** A string code (`context_length_exceeded`, `insufficient_quota`, `3036`). */
  code?: string;
  /** An error type (`invalid_request_error`, `overloaded_error`, `tokens`). */
  type?: string;
  /** Google's canonical status (`RESOURCE_EXHAUSTED`, `UNAVAILABLE`, `INVALID_ARGUMENT`). */
  status?: string;
  /** The HTTP status a body claims for itself (OpenRouter's `error.code: 502` inside a 200 stream). */
  claimedStatus?: number;
  param?: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Finds the object that describes the error: `error`, Cloudflare's `errors[0]`, or the body itself. */
function errorObject(body: unknown): Json | undefined {
  const root = Array.isArray(body) ? (body[0] as unknown) : body;
  if (!isObject(root)) return undefined;
  if (isObject(root.error)) return root.error;
  if (Array.isArray(root.errors) && isObject(root.errors[0])) return root.errors[0];
  return root;
}

export function readUpstreamError(bodyText: string): UpstreamErrorDetails {
  const body = parseJson(bodyText);
  const error = errorObject(body);
  if (!error) return {};
  const root = Array.isArray(body) ? (body[0] as unknown) : body;
  const details: UpstreamErrorDetails = {};
  const message =
    asString(error.message) ??
    asString(error.msg) ??
    asString(error.detail) ??
    (isObject(root) ? asString(root.error) : undefined);
  if (message) details.message = message;
  if (typeof error.code === 'number') {
    if (error.code >= 400 && error.code < 600) details.claimedStatus = error.code;
    else details.code = String(error.code);
  } else if (asString(error.code)) details.code = asString(error.code);
  const type = asString(error.type) ?? asString(error.error_type);
  if (type && type !== 'error') details.type = type;
  const status = asString(error.status);
  if (status) details.status = status;
  const param = asString(error.param);
  if (param) details.param = param;
  return details;
}

const durationUnits: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses Go and proto durations: `1m26.4s`, `577.5ms`, `26s`. Undefined when nothing matches. */
export function parseDurationMs(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0) return undefined;
  let total = 0;
  for (const [, amount, unit] of parts) total += Number(amount) * (durationUnits[unit ?? 's'] ?? 0);
  return Math.round(total);
}

/**
 * A wait hint written only in the body: OpenAI's and Groq's "Please try again in 18.642s",
 * Gemini's RetryInfo `"retryDelay": "26s"`. The upstream dialect parsers usually surface it as
 * `signal.retryAfterMs` already; this is the fallback when they did not.
 */
export function bodyRetryAfterMs(bodyText: string): number | undefined {
  const hint =
    /try again in ((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)/i.exec(bodyText) ??
    /"retryDelay"\s*:\s*"((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)"/.exec(bodyText);
  return hint?.[1] === undefined ? undefined : parseDurationMs(hint[1]);
}
