/**
 * The error catalogue: every failure Freeway reports has a stable code, an HTTP status, OpenAI's
 * error type and a retry rule. Clients see `{error: {message, type, code, param}}`; messages
 * must never contain a provider or client key.
 */

/** Where a failed call may be tried again: on the same deployment, only on another one, or nowhere. */
export type RetryScope = 'same' | 'other' | 'never';

export interface ErrorSpec {
  status: number;
  type: 'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'rate_limit_error' | 'api_error' | 'timeout_error';
  retry: RetryScope;
}

export const errorCatalog = {
  // The caller's request.
  invalid_request: { status: 400, type: 'invalid_request_error', retry: 'never' },
  invalid_json: { status: 400, type: 'invalid_request_error', retry: 'never' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error', retry: 'other' },
  content_filtered: { status: 400, type: 'invalid_request_error', retry: 'never' },
  request_too_large: { status: 413, type: 'invalid_request_error', retry: 'never' },
  invalid_api_key: { status: 401, type: 'authentication_error', retry: 'never' },
  model_not_found: { status: 404, type: 'not_found_error', retry: 'never' },
  route_not_found: { status: 404, type: 'not_found_error', retry: 'never' },
  resource_not_found: { status: 404, type: 'not_found_error', retry: 'never' },
  batch_store_unavailable: { status: 503, type: 'api_error', retry: 'never' },
  quota_exhausted: { status: 429, type: 'rate_limit_error', retry: 'never' },
  // What a provider did (classified from its answer); mostly retried elsewhere, never shown raw.
  upstream_rate_limited: { status: 503, type: 'api_error', retry: 'other' },
  upstream_quota_exhausted: { status: 503, type: 'api_error', retry: 'other' },
  upstream_overloaded: { status: 503, type: 'api_error', retry: 'other' },
  upstream_server_error: { status: 502, type: 'api_error', retry: 'same' },
  upstream_bad_response: { status: 502, type: 'api_error', retry: 'other' },
  upstream_auth_failed: { status: 502, type: 'api_error', retry: 'other' },
  upstream_model_gone: { status: 502, type: 'api_error', retry: 'other' },
  upstream_bad_request: { status: 400, type: 'invalid_request_error', retry: 'never' },
  /** A deployment said it cannot serve a hard need (tools, a JSON schema, images): another may. */
  upstream_unsupported: { status: 400, type: 'invalid_request_error', retry: 'other' },
  // A deployment's own per-request cap (Groq's 413 "Request too large … tokens per minute"): another may take it.
  upstream_request_too_large: { status: 413, type: 'invalid_request_error', retry: 'other' },
  upstream_connect_failed: { status: 502, type: 'api_error', retry: 'other' },
  upstream_connection_reset: { status: 502, type: 'api_error', retry: 'same' },
  upstream_connect_timeout: { status: 504, type: 'timeout_error', retry: 'other' },
  upstream_first_byte_timeout: { status: 504, type: 'timeout_error', retry: 'other' },
  upstream_idle_timeout: { status: 504, type: 'timeout_error', retry: 'other' },
  upstream_total_timeout: { status: 504, type: 'timeout_error', retry: 'never' },
  upstream_stream_error: { status: 502, type: 'api_error', retry: 'other' },
  no_healthy_provider: { status: 503, type: 'api_error', retry: 'never' },
  client_closed: { status: 499, type: 'api_error', retry: 'never' },
  internal_error: { status: 500, type: 'api_error', retry: 'never' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

export interface FreewayErrorOptions {
  param?: string | null;
  /** For quota errors: when capacity returns, in ms from now. */
  retryAfterMs?: number;
  /** Extra headers the server should send with this error (RateLimit, RateLimit-Policy). */
  headers?: Record<string, string>;
  /** Upstream calls made before this error was final (the server sends it as x-freeway-attempts). */
  attempts?: number;
  cause?: unknown;
}

export class FreewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorSpec['type'];
  readonly retry: RetryScope;
  readonly param: string | null;
  readonly retryAfterMs: number | undefined;
  readonly headers: Record<string, string>;
  readonly attempts: number | undefined;

  constructor(code: ErrorCode, message: string, options: FreewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec: ErrorSpec = errorCatalog[code];
    this.name = 'FreewayError';
    this.code = code;
    this.status = spec.status;
    this.type = spec.type;
    this.retry = spec.retry;
    this.param = options.param ?? null;
    this.retryAfterMs = options.retryAfterMs;
    this.headers = options.headers ?? {};
    this.attempts = options.attempts;
  }

  /** OpenAI's error body. */
  toBody(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const isFreewayError = (value: unknown): value is FreewayError => value instanceof FreewayError;

/** Any thrown value as a FreewayError; unknown failures become internal_error without leaking their text. */
export function toFreewayError(value: unknown): FreewayError {
  if (value instanceof FreewayError) return value;
  return new FreewayError('internal_error', 'Internal error in the gateway', { cause: value });
}

/** Replaces anything that looks like a secret (bearer tokens, API keys) before text reaches a log or a client. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 6) result = result.split(secret).join('[redacted]');
  return result
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, '$1[redacted]')
    .replace(/\b(sk|gsk|csk|nvapi|AIza|hf|ghp|github_pat|key)[-_][A-Za-z0-9_-]{8,}/g, '[redacted]');
}
