/**
 * What every dialect parser reads from: one upstream answer with case-insensitive headers and a
 * lazily parsed body, plus the rules they share (Retry-After, error messages, which quota a 429
 * spent). It only reads; it never decides routing, and it never reports an unknown value as zero.
 */
import { DAY, MONTH, type LimitUnit } from '../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../core/rate-limit-signal.js';
import { parseCount, parseMilliseconds, parseRetryAfter, parseRetryHint } from './reset-formats.js';

export type RawHeaders = Record<string, string | string[] | undefined>;

export interface UpstreamAnswer {
  status: number;
  headers: RawHeaders;
  bodyText?: string;
}

export type ExhaustedPeriod = NonNullable<RateLimitSignal['exhausted']>['period'];

export interface SignalInput {
  status: number;
  now: number;
  bodyText: string | undefined;
  /** A header by its lower-case name; repeated fields joined with ", " as RFC 9110 allows. */
  header(name: string): string | undefined;
  /** The body as JSON, parsed once; undefined when absent or not JSON. */
  body(): unknown;
}

export function createSignalInput(answer: UpstreamAnswer, now: number): SignalInput {
  const headers = lowerCaseKeys(answer.headers);
  let parsed: { value: unknown } | undefined;
  return {
    status: answer.status,
    now,
    bodyText: answer.bodyText,
    header(name) {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body() {
      if (!parsed) parsed = { value: parseJson(answer.bodyText) };
      return parsed.value;
    },
  };
}

/** undici already lower-cases; other callers may not. Copy only when needed. */
function lowerCaseKeys(headers: RawHeaders): RawHeaders {
  for (const key in headers) {
    if (key !== key.toLowerCase()) {
      const lowered: RawHeaders = {};
      for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
      return lowered;
    }
  }
  return headers;
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The error object of a body: `{error: {…}}`, Gemini's array-wrapped `[{error: {…}}]`, or a bare `{message, type}`. */
export function errorObject(body: unknown): Record<string, unknown> | undefined {
  const root = Array.isArray(body) ? (body[0] as unknown) : body;
  if (!isRecord(root)) return undefined;
  const error = root['error'];
  if (isRecord(error)) return error;
  return typeof root['message'] === 'string' ? root : undefined;
}

/** The human message of an error body, when there is one. */
export function errorMessage(input: SignalInput): string | undefined {
  const message = errorObject(input.body())?.['message'];
  return typeof message === 'string' ? message : undefined;
}

/** Retry-After in its forms: `retry-after-ms` (more precise, Anthropic's SDK honours it) first, then Retry-After. */
export function retryAfterFromHeaders(input: SignalInput): number | undefined {
  return parseMilliseconds(input.header('retry-after-ms')) ?? parseRetryAfter(input.header('retry-after'), input.now);
}

/** Retry-After, or else the wait spelled out in the error message ("Please try again in 18.642s"). */
export function retryAfterFromAnswer(input: SignalInput): number | undefined {
  return retryAfterFromHeaders(input) ?? (input.status >= 400 ? parseRetryHint(errorMessage(input)) : undefined);
}

/** One limit from three header values; undefined when the provider sent none of them. */
export function observationFrom(
  unit: LimitUnit,
  windowMs: number | undefined,
  values: { limit: unknown; remaining: unknown; resetAt: number | undefined },
): LimitObservation | undefined {
  const limit = parseCount(values.limit);
  const remaining = parseCount(values.remaining);
  if (limit === undefined && remaining === undefined && values.resetAt === undefined) return undefined;
  const observation: LimitObservation = { unit };
  if (windowMs !== undefined) observation.windowMs = windowMs;
  if (limit !== undefined) observation.limit = limit;
  if (remaining !== undefined) observation.remaining = remaining;
  if (values.resetAt !== undefined) observation.resetAt = values.resetAt;
  return observation;
}

/** Which quota a message names: "per day", "(RPD)", "PerDay", "free-models-per-day", "per minute", … */
export function periodFromText(text: string | undefined): ExhaustedPeriod | undefined {
  if (!text) return undefined;
  if (/per[ _-]?day|PerDay|\bdaily\b|\((?:RPD|TPD)\)/i.test(text)) return 'day';
  if (/per[ _-]?month|PerMonth|\bmonthly\b/i.test(text)) return 'month';
  if (/per[ _-]?(?:min(?:ute)?|sec(?:ond)?|hour)|Per(?:Minute|Second|Hour)|\((?:RPM|TPM|RPS|ITPM|OTPM)\)/i.test(text)) return 'short';
  return undefined;
}

export interface ExhaustedHint {
  period?: ExhaustedPeriod;
  resetAt?: number;
  name?: string;
}

/**
 * Assembles the signal. On a 429 (or when a dialect found a rejection in the body) it also says which
 * quota is spent: the dialect's hint first, else the observation that reads zero, else unknown.
 */
export function buildSignal(
  input: SignalInput,
  observations: LimitObservation[],
  retryAfterMs: number | undefined,
  hint?: ExhaustedHint,
): RateLimitSignal {
  const signal: RateLimitSignal = { observations };
  if (retryAfterMs !== undefined) signal.retryAfterMs = retryAfterMs;
  if (input.status !== 429 && !hint) return signal;

  const spent = observations.filter((o) => o.remaining === 0);
  const longest = spent.reduce<LimitObservation | undefined>((a, o) => (a && (a.windowMs ?? 0) >= (o.windowMs ?? 0) ? a : o), undefined);
  const period = hint?.period ?? periodOfWindow(longest?.windowMs) ?? 'unknown';
  const resetAt = hint?.resetAt ?? longest?.resetAt ?? (retryAfterMs !== undefined ? input.now + retryAfterMs : undefined);
  signal.exhausted = { period };
  if (resetAt !== undefined) signal.exhausted.resetAt = resetAt;
  if (hint?.name !== undefined) signal.exhausted.name = hint.name;
  return signal;
}

function periodOfWindow(windowMs: number | undefined): ExhaustedPeriod | undefined {
  if (windowMs === undefined) return undefined;
  if (windowMs >= MONTH) return 'month';
  if (windowMs >= DAY) return 'day';
  return 'short';
}
