/**
 * GET a JSON document from a provider, kindly: requests to one provider are paced, 429/5xx/network
 * errors and timeouts are retried with full-jitter exponential backoff that honours Retry-After, and
 * every failure becomes a DiscoveryError whose message is safe to print (no key, no raw body).
 * Our own small loop rather than cockatiel's, because its waits must run on the injected Clock.
 */
import { request, type Dispatcher } from 'undici';
import type { Clock } from '../../core/clock.js';
import { redactSecrets } from '../../core/errors.js';

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

export interface FetchPolicy {
  /** Per attempt: no headers, or a silent body, for this long ends the attempt. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the provider is reported as rate limited. */
  maxRetryAfterMs: number;
}

export const defaultFetchPolicy: FetchPolicy = {
  timeoutMs: 15_000,
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

export interface FetchDeps {
  clock: Clock;
  /** Uniform in [0, 1): the jitter. */
  random: () => number;
  dispatcher?: Dispatcher;
}

export type JsonGetter = (url: string, headers?: Record<string, string>) => Promise<unknown>;

/** Milliseconds the server asked us to wait: delta-seconds or an HTTP date, per RFC 9110. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Full jitter: uniform between 0 and min(cap, base·2^attempt). */
export function fullJitterDelay(attempt: number, policy: FetchPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

type Attempt = { ok: true; body: unknown } | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

const headerValue = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return `timed out after ${timeoutMs} ms`;
  return typeof code === 'string' ? `network error ${code}` : 'network error';
}

async function attemptOnce(
  url: string,
  headers: Record<string, string>,
  policy: FetchPolicy,
  deps: FetchDeps,
): Promise<Attempt> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...headers },
      headersTimeout: policy.timeoutMs,
      bodyTimeout: policy.timeoutMs,
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
  } catch (error) {
    return { ok: false, retryable: true, reason: describeNetworkError(error, policy.timeoutMs) };
  }
  let text: string;
  try {
    text = await response.body.text();
  } catch (error) {
    return { ok: false, retryable: true, reason: describeNetworkError(error, policy.timeoutMs) };
  }
  const status = response.statusCode;
  if (status < 200 || status >= 300) {
    const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), deps.clock.now());
    const retryable = status === 429 || status === 408 || status >= 500;
    return { ok: false, retryable, reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    // A provider that answers 200 with broken JSON is broken, not busy: asking again rarely helps.
    return { ok: false, retryable: false, reason: 'malformed JSON in the answer' };
  }
}

export interface PacedGetter {
  get: JsonGetter;
  /** Requests sent so far, retries included. */
  readonly attempts: number;
}

/** A getter for one provider: successive requests are at least `paceMs` apart on the clock. */
export function createPacedGetter(
  paceMs: number,
  policy: FetchPolicy,
  deps: FetchDeps,
  secrets: readonly string[] = [],
): PacedGetter {
  let lastSentAt: number | undefined;
  let attempts = 0;
  const pace = async () => {
    if (lastSentAt !== undefined) {
      const wait = lastSentAt + paceMs - deps.clock.now();
      if (wait > 0) await deps.clock.sleep(wait);
    }
    lastSentAt = deps.clock.now();
    attempts += 1;
  };
  const get: JsonGetter = async (url, headers = {}) => {
    for (let attempt = 0; ; attempt += 1) {
      await pace();
      const result = await attemptOnce(url, headers, policy, deps);
      if (result.ok) return result.body;
      const triesLeft = attempt < policy.retries;
      if (!result.retryable || !triesLeft) {
        const tries = attempt + 1;
        throw new DiscoveryError(
          redactSecrets(`${result.reason}${tries > 1 ? ` after ${tries} attempts` : ''}`, secrets),
        );
      }
      if (result.retryAfterMs !== undefined && result.retryAfterMs > policy.maxRetryAfterMs) {
        throw new DiscoveryError(`${result.reason}; asked to retry after ${Math.ceil(result.retryAfterMs / 1000)} s`);
      }
      await deps.clock.sleep(result.retryAfterMs ?? fullJitterDelay(attempt, policy, deps.random));
    }
  };
  return {
    get,
    get attempts() {
      return attempts;
    },
  };
}
