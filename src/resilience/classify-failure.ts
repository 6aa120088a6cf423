/**
 * Classification: turns a failed upstream call (UpstreamFailure, or anything an attempt threw)
 * into a FreewayError from the catalogue, whose `retry` says where it may be tried again:
 * `same` deployment, `other` deployment, or `never`. It decides from the status, the rate-limit
 * signal and well-known body texts of real providers (fixtures in test/resilience/fixtures).
 * It must never put a key or a raw non-400 body into a message: only a 400's own message
 * (the caller needs it) is passed on, through `redactSecrets`.
 *
 *   classifyFailure(failure, { deploymentId?, secrets?, now? }): FreewayError
 *   classifyError(thrown, { …same, isDeadline? }): FreewayError   // for whatever an attempt rejects with
 *   contextLengthPattern, isContextLengthText(text)
 */
import { FreewayError, isFreewayError, redactSecrets, type ErrorCode } from '../core/errors.js';
import { UpstreamFailureError, type UpstreamFailure } from '../core/upstream-failure.js';
import { bodyRetryAfterMs, readUpstreamError, type UpstreamErrorDetails } from './upstream-error-body.js';

export interface ClassifyContext {
  /** Safe to show (`provider/model#n`); named in messages so operators see which deployment failed. */
  deploymentId?: string;
  /** Exact secrets to scrub besides the usual key shapes (the deployment's key). */
  secrets?: readonly string[];
  /** Clock time, to turn an absolute quota reset into `retryAfterMs` when no wait was given. */
  now?: number;
}

type HttpFailure = Extract<UpstreamFailure, { kind: 'http' }>;

/** "maximum context length" (OpenAI, vLLM, Mistral, OpenRouter), Anthropic's "prompt is too long", Gemini's token-count text. */
export const contextLengthPattern =
  /context_length_exceeded|context[ _-]length|context window|too many tokens|reduce the length|prompt is too long|input token count.*exceeds|exceeds the maximum number of tokens/i;
const contentFilterPattern =
  /content[_ ]filter|content_policy_violation|content management policy|responsible ai|\bflagged\b|moderation/i;
const geminiBlockPattern = /\b(SAFETY|PROHIBITED_CONTENT|BLOCKLIST)\b/;
const keyInvalidPattern =
  /API_KEY_INVALID|api key not valid|invalid api key|invalid_api_key|location is not supported/i;
const dayPattern = /PerDay|per[ -]day|daily|\bRPD\b|duration_s:\s*86400/i;
// Not "billing": Gemini's per-minute 429 says "check your plan and billing details" too.
const monthPattern = /PerMonth|per[ -]month|monthly|insufficient_quota|insufficient credits/i;
const capacityPattern = /no more data centers|capacity exceeded|overloaded|not ready yet/i;
/** Cloudflare's numeric codes: 3036 the daily neuron allocation is spent, 3040 out of capacity. */
const cloudflareDailyCode = '3036';
const cloudflareCapacityCode = '3040';

export const isContextLengthText = (text: string): boolean => contextLengthPattern.test(text);

const MAX_MESSAGE = 500;

function upstreamMessage(
  details: UpstreamErrorDetails,
  bodyText: string,
  secrets: readonly string[],
): string | undefined {
  const looksLikeText = bodyText.trim() !== '' && !/^\s*</.test(bodyText);
  const raw = details.message ?? (looksLikeText ? bodyText.trim() : undefined);
  if (raw === undefined) return undefined;
  const clipped = raw.length > MAX_MESSAGE ? `${raw.slice(0, MAX_MESSAGE)}…` : raw;
  return redactSecrets(clipped, secrets);
}

function quotaPeriod(failure: HttpFailure, details: UpstreamErrorDetails): 'short' | 'day' | 'month' {
  const told = failure.signal.exhausted?.period;
  if (told === 'short' || told === 'day' || told === 'month') return told;
  if (details.code === cloudflareDailyCode) return 'day';
  const named = `${failure.signal.exhausted?.name ?? ''} ${failure.bodyText}`;
  if (dayPattern.test(named)) return 'day';
  if (monthPattern.test(named)) return 'month';
  return 'short';
}

function retryAfter(failure: HttpFailure, now: number | undefined): number | undefined {
  if (failure.signal.retryAfterMs !== undefined && failure.signal.retryAfterMs >= 0) return failure.signal.retryAfterMs;
  const resetAt = failure.signal.exhausted?.resetAt;
  if (resetAt !== undefined && now !== undefined && resetAt > now) return resetAt - now;
  return bodyRetryAfterMs(failure.bodyText);
}

function classifyHttp(failure: HttpFailure, context: ClassifyContext): FreewayError {
  const where = context.deploymentId ?? 'the upstream';
  const secrets = context.secrets ?? [];
  const details = readUpstreamError(failure.bodyText);
  // A 200 whose first stream event is an error carries the real status inside (OpenRouter).
  const status =
    failure.status >= 200 && failure.status < 300 ? (details.claimedStatus ?? failure.status) : failure.status;
  const said = upstreamMessage(details, failure.bodyText, secrets);
  const codes = `${details.code ?? ''} ${details.type ?? ''} ${details.status ?? ''}`;
  const text = `${codes} ${said ?? ''}`;
  const retryAfterMs = retryAfter(failure, context.now);
  const make = (code: ErrorCode, message: string, extra: { param?: string; retryAfterMs?: number } = {}) =>
    new FreewayError(code, message, { cause: failure, ...extra });

  if (status >= 300 && status < 400) return make('upstream_bad_response', `${where} redirected (HTTP ${status})`);
  if (status === 429 || details.status === 'RESOURCE_EXHAUSTED' || status === 402) {
    if (details.code === cloudflareCapacityCode || capacityPattern.test(failure.bodyText))
      return make('upstream_overloaded', `${where} is out of capacity (HTTP ${status})`, { retryAfterMs });
    const period = status === 402 ? 'month' : quotaPeriod(failure, details);
    if (period === 'short')
      return make('upstream_rate_limited', `${where} is rate limited (HTTP ${status})`, { retryAfterMs });
    return make('upstream_quota_exhausted', `${where} has used its ${period === 'day' ? 'daily' : 'monthly'} quota`, {
      retryAfterMs,
    });
  }
  if (status === 400 || status === 413 || status === 422 || status < 400) {
    if (keyInvalidPattern.test(codes) || keyInvalidPattern.test(failure.bodyText))
      return make('upstream_auth_failed', `${where} refused its API key`);
    if (isContextLengthText(text)) {
      return make('context_length_exceeded', said ?? 'The request is longer than the model can take', {
        param: details.param ?? 'messages',
      });
    }
    if (contentFilterPattern.test(text) || geminiBlockPattern.test(failure.bodyText))
      return make('content_filtered', said ?? 'The upstream filtered this content', { param: details.param });
    if (status === 413) return make('upstream_request_too_large', `${where} refused a request this large (HTTP 413)`);
    if (status < 400) return make('upstream_stream_error', `${where} answered with an error event`);
    return make('upstream_bad_request', said ?? `The upstream rejected the request (HTTP ${status})`, {
      param: details.param,
    });
  }
  if (status === 401 || status === 403) {
    if (contentFilterPattern.test(text))
      return make('content_filtered', said ?? 'The upstream filtered this content', { param: details.param });
    return make('upstream_auth_failed', `${where} refused its API key (HTTP ${status})`);
  }
  if (status === 404 || status === 410)
    return make('upstream_model_gone', `${where} no longer serves this model (HTTP ${status})`);
  // 498: Groq's flex tier is full; 529: Anthropic's overloaded_error.
  if (status === 503 || status === 529 || status === 498 || capacityPattern.test(codes)) {
    return make('upstream_overloaded', `${where} is overloaded (HTTP ${status})`, { retryAfterMs });
  }
  if (status >= 500) return make('upstream_server_error', `${where} failed (HTTP ${status})`, { retryAfterMs });
  // 405, 408, 409 and other oddities: nothing the caller did, and nothing a retry here would fix.
  return make('upstream_bad_response', `${where} answered HTTP ${status}`);
}

const refusedCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
]);
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function classifyNetwork(failure: Extract<UpstreamFailure, { kind: 'network' }>, where: string): FreewayError {
  const options = { cause: failure };
  if (resetCodes.has(failure.code))
    return new FreewayError(
      'upstream_connection_reset',
      `The connection to ${where} was reset (${failure.code})`,
      options,
    );
  if (failure.code === 'ETIMEDOUT' || failure.code === 'UND_ERR_CONNECT_TIMEOUT')
    return new FreewayError('upstream_connect_timeout', `Connecting to ${where} timed out`, options);
  if (failure.code === 'UND_ERR_HEADERS_TIMEOUT')
    return new FreewayError('upstream_first_byte_timeout', `${where} sent no answer in time`, options);
  if (failure.code === 'UND_ERR_BODY_TIMEOUT')
    return new FreewayError('upstream_idle_timeout', `${where} stalled mid-answer`, options);
  const detail = refusedCodes.has(failure.code) ? failure.code : 'network error';
  return new FreewayError('upstream_connect_failed', `Could not reach ${where} (${detail})`, options);
}

const timeoutCodes = {
  connect: ['upstream_connect_timeout', 'Connecting to %s timed out'],
  'first-byte': ['upstream_first_byte_timeout', '%s sent no first token in time'],
  idle: ['upstream_idle_timeout', '%s stalled mid-answer'],
  total: ['upstream_total_timeout', 'The request ran out of time waiting for %s'],
} as const satisfies Record<string, readonly [ErrorCode, string]>;

export function classifyFailure(failure: UpstreamFailure, context: ClassifyContext = {}): FreewayError {
  const where = context.deploymentId ?? 'the upstream';
  switch (failure.kind) {
    case 'http':
      return classifyHttp(failure, context);
    case 'network':
      return classifyNetwork(failure, where);
    case 'timeout': {
      const [code, message] = timeoutCodes[failure.phase];
      return new FreewayError(code, message.replace('%s', where), { cause: failure });
    }
    case 'protocol': {
      const isCut = /cut|terminat|truncat|before \[DONE\]|premature|stream/i.test(failure.message);
      return isCut
        ? new FreewayError('upstream_stream_error', `The stream from ${where} broke off`, { cause: failure })
        : new FreewayError('upstream_bad_response', `${where} sent a malformed answer`, { cause: failure });
    }
  }
}

const isAbortError = (value: unknown): boolean =>
  value instanceof Error && (value.name === 'AbortError' || (value as { code?: unknown }).code === 'ABORT_ERR');

/**
 * Whatever an attempt rejected with, as a catalogue error. A FreewayError stays itself; an
 * UpstreamFailureError is classified (naming its deployment); an abort is the client leaving;
 * anything else is our own bug and is never retried.
 */
export function classifyError(thrown: unknown, context: ClassifyContext = {}): FreewayError {
  if (isFreewayError(thrown)) return thrown;
  if (thrown instanceof UpstreamFailureError)
    return classifyFailure(thrown.failure, { deploymentId: thrown.deploymentId, ...context });
  if (isAbortError(thrown))
    return new FreewayError('client_closed', 'The client closed the request', { cause: thrown });
  return new FreewayError('internal_error', 'Internal error in the gateway', { cause: thrown });
}
