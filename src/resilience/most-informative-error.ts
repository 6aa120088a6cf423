/**
 * When every candidate failed, which failure to show the caller: the one that tells them the most
 * about what to do (their request is too long, quotas are spent and come back at T) rather than the
 * last generic 5xx. It only ranks errors; it never invents one.
 *
 *   mostInformativeError(errors): FreewayError | undefined
 */
import { FreewayError, type ErrorCode } from '../core/errors.js';

const rank: Partial<Record<ErrorCode, number>> = {
  context_length_exceeded: 90,
  content_filtered: 85,
  upstream_bad_request: 85,
  upstream_request_too_large: 80,
  upstream_quota_exhausted: 70,
  upstream_rate_limited: 65,
  upstream_overloaded: 50,
  upstream_auth_failed: 45,
  upstream_model_gone: 40,
  upstream_first_byte_timeout: 30,
  upstream_idle_timeout: 30,
  upstream_connect_timeout: 30,
  upstream_server_error: 25,
  upstream_stream_error: 20,
  upstream_bad_response: 20,
  upstream_connection_reset: 15,
  upstream_connect_failed: 15,
};

const rankOf = (error: FreewayError): number => rank[error.code] ?? 10;

/**
 * The highest-ranked error (the latest among equals). For quota-like errors, the wait is the
 * shortest any candidate asked for: that is when the first capacity comes back.
 */
export function mostInformativeError(errors: readonly FreewayError[]): FreewayError | undefined {
  let best: FreewayError | undefined;
  for (const error of errors) if (!best || rankOf(error) >= rankOf(best)) best = error;
  if (!best) return undefined;
  const waits = errors
    .filter((error) => error.code === best.code && error.retryAfterMs !== undefined)
    .map((error) => error.retryAfterMs ?? 0);
  if (waits.length === 0) return best;
  const soonest = Math.min(...waits);
  if (soonest === best.retryAfterMs) return best;
  return new FreewayError(best.code, best.message, {
    param: best.param,
    headers: best.headers,
    retryAfterMs: soonest,
    cause: best.cause,
  });
}
