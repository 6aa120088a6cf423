/**
 * Groq: OpenAI's header names with fixed meanings: `*-requests` always count requests per day and
 * `*-tokens` tokens per minute (console.groq.com/docs/rate-limits). Retry-After comes only on a 429.
 */
import { DAY, MINUTE } from '../../core/limits.js';
import type { RateLimitSignal } from '../../core/rate-limit-signal.js';
import type { SignalInput } from '../signal-input.js';
import { parseXRateLimit } from './x-ratelimit.js';

export const parseGroqSignal = (input: SignalInput): RateLimitSignal => parseXRateLimit(input, { requests: DAY, tokens: MINUTE });
