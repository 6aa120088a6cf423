/**
 * GET a JSON document from a provider, kindly: requests to one provider are paced, 429/5xx/network
 * errors and timeouts are retried with resilience/'s full-jitter backoff on top of the provider's
 * Retry-After, and every failure becomes a DiscoveryError whose message is safe to print (no key, no
 * raw body). The HTTP itself is upstream/'s (`getJson`): one client, one Retry-After parser, one
 * place that turns a socket's troubles into a failure. Only the loop is ours, because its waits run
 * on the injected Clock; it never opens a connection of its own.
 */
import type { Clock } from '../../core/clock.js';
import { redactSecrets } from '../../core/errors.js';
import { UpstreamFailureError, type UpstreamFailure } from '../../core/upstream-failure.js';
import { fullJitterDelay } from '../../resilience/index.js';
import type { UpstreamClient } from '../../upstream/index.js';

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
  /** Paces requests and runs the backoff waits. */
  clock: Clock;
  /** Uniform in [0, 1): the jitter. */
  random: () => number;
  /** Sends the GETs (its own deadlines run on real time: the network is real). */
  upstream: UpstreamClient;
}

export type JsonGetter = (url: string, headers?: Record<string, string>) => Promise<unknown>;

type Attempt = { ok: true; body: unknown } | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number };

/** A failure in words safe to print, and whether asking again may help. */
function describeFailure(failure: UpstreamFailure, timeoutMs: number): Exclude<Attempt, { ok: true }> {
  switch (failure.kind) {
    case 'http': {
      const { status } = failure;
      const retryable = status === 429 || status === 408 || status >= 500;
      const retryAfterMs = failure.signal.retryAfterMs;
      return { ok: false, retryable, reason: `HTTP ${status}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    case 'timeout':
      return { ok: false, retryable: true, reason: failure.phase === 'connect' ? 'connect timed out' : `timed out after ${timeoutMs} ms` };
    case 'network':
      return { ok: false, retryable: true, reason: `network error ${failure.code}` };
    case 'protocol':
      // A provider that answers 200 with broken JSON is broken, not busy: asking again rarely helps.
      return { ok: false, retryable: false, reason: 'malformed JSON in the answer' };
  }
}

async function attemptOnce(url: string, headers: Record<string, string>, policy: FetchPolicy, deps: FetchDeps, apiKey: string | undefined): Promise<Attempt> {
  try {
    const answer = await deps.upstream.getJson(url, { headers, apiKey, firstByteTimeoutMs: policy.timeoutMs, idleTimeoutMs: policy.timeoutMs });
    return { ok: true, body: answer.body };
  } catch (error) {
    if (error instanceof UpstreamFailureError) return describeFailure(error.failure, policy.timeoutMs);
    return { ok: false, retryable: true, reason: 'network error' };
  }
}

export interface PacedGetter {
  get: JsonGetter;
  /** Requests sent so far, retries included. */
  readonly attempts: number;
}

/** A getter for one provider: successive requests are at least `paceMs` apart on the clock. */
export function createPacedGetter(paceMs: number, policy: FetchPolicy, deps: FetchDeps, secrets: readonly string[] = []): PacedGetter {
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
      const result = await attemptOnce(url, headers, policy, deps, secrets[0]);
      if (result.ok) return result.body;
      const triesLeft = attempt < policy.retries;
      if (!result.retryable || !triesLeft) {
        const tries = attempt + 1;
        throw new DiscoveryError(redactSecrets(`${result.reason}${tries > 1 ? ` after ${tries} attempts` : ''}`, secrets));
      }
      if (result.retryAfterMs !== undefined && result.retryAfterMs > policy.maxRetryAfterMs) {
        throw new DiscoveryError(`${result.reason}; asked to retry after ${Math.ceil(result.retryAfterMs / 1000)} s`);
      }
      const backoff = { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs, random: deps.random };
      await deps.clock.sleep(fullJitterDelay(attempt + 1, result.retryAfterMs === undefined ? backoff : { ...backoff, retryAfterMs: result.retryAfterMs }));
    }
  };
  return {
    get,
    get attempts() {
      return attempts;
    },
  };
}
