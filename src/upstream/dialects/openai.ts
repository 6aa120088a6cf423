/**
 * OpenAI: `x-ratelimit-*` headers whose window is not stated (tier-dependent), plus the wait its 429
 * message spells out ("Please try again in 18.642s") and the quota it names ("tokens per min (TPM)").
 */
import type { RateLimitSignal } from '../../core/rate-limit-signal.js';
import type { SignalInput } from '../signal-input.js';
import { parseXRateLimit } from './x-ratelimit.js';

export const parseOpenAiSignal = (input: SignalInput): RateLimitSignal => parseXRateLimit(input, {});
