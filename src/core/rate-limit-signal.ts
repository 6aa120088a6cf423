/**
 * What a provider told us about its limits, in one shape for every dialect: the upstream
 * parsers produce it, the quota ledger consumes it. Unknown stays undefined, never zero.
 */
import type { LimitUnit } from './limits.js';

export interface LimitObservation {
  unit: LimitUnit;
  /** Window length in ms when the dialect says it (Groq requests: a day; Cerebras -minute: a minute). */
  windowMs?: number;
  limit?: number;
  remaining?: number;
  /** Absolute epoch ms when this limit has room again. */
  resetAt?: number;
}

export interface RateLimitSignal {
  observations: LimitObservation[];
  /** How long to wait before calling again (Retry-After and its equivalents), in ms. */
  retryAfterMs?: number;
  /** Set on a rate-limit rejection: which kind of quota is spent. A daily quota is pointless to retry before its reset. */
  exhausted?: {
    period: 'short' | 'day' | 'month' | 'unknown';
    /** Absolute epoch ms when it comes back, when the provider says so. */
    resetAt?: number;
    /** The provider's own name for the limit (a Gemini quotaId, OpenRouter's limit_source, …). */
    name?: string;
  };
}

export const emptySignal = (): RateLimitSignal => ({ observations: [] });
