/**
 * A failed upstream call described as plain data, before classification: upstream/ produces it
 * (by throwing UpstreamFailureError), resilience/ classifies it into the error catalogue.
 */
import type { RateLimitSignal } from './rate-limit-signal.js';

export type UpstreamFailure =
  /** The provider answered with a non-2xx status (or a 200 whose first stream event was an error: status 200). */
  | { kind: 'http'; status: number; bodyText: string; headers: Record<string, string>; signal: RateLimitSignal }
  /** The connection failed: refused, reset, DNS; `code` is Node's or undici's error code. */
  | { kind: 'network'; code: string; message: string }
  /** A deadline passed: connecting, waiting for the first byte, between stream chunks, or overall. */
  | { kind: 'timeout'; phase: 'connect' | 'first-byte' | 'idle' | 'total' }
  /** The answer was not what the protocol promises (malformed JSON, a stream cut before [DONE]). */
  | { kind: 'protocol'; message: string };

export class UpstreamFailureError extends Error {
  override name = 'UpstreamFailureError';
  constructor(
    readonly failure: UpstreamFailure,
    readonly deploymentId: string,
  ) {
    super(`Upstream ${deploymentId} failed: ${failure.kind}`);
  }
}
