/**
 * The one entry point from a provider's answer to a RateLimitSignal: picks the dialect's parser.
 * Parsers only read; unknown values stay undefined (never zero) and nothing here throws on odd input.
 */
import type { Dialect } from '../core/deployment.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { parseAnthropicSignal } from './dialects/anthropic.js';
import { parseCerebrasSignal } from './dialects/cerebras.js';
import { parseCloudflareSignal } from './dialects/cloudflare.js';
import { parseGeminiSignal } from './dialects/gemini.js';
import { parseGroqSignal } from './dialects/groq.js';
import { parseIetfSignal } from './dialects/ietf.js';
import { parseMistralSignal } from './dialects/mistral.js';
import { parseOpenAiSignal } from './dialects/openai.js';
import { parseOpenRouterSignal } from './dialects/openrouter.js';
import { parseTogetherSignal } from './dialects/together.js';
import { buildSignal, createSignalInput, retryAfterFromHeaders, type SignalInput, type UpstreamAnswer } from './signal-input.js';

const parsers: Record<Dialect, (input: SignalInput) => RateLimitSignal> = {
  openai: parseOpenAiSignal,
  groq: parseGroqSignal,
  cerebras: parseCerebrasSignal,
  openrouter: parseOpenRouterSignal,
  gemini: parseGeminiSignal,
  mistral: parseMistralSignal,
  cloudflare: parseCloudflareSignal,
  together: parseTogetherSignal,
  anthropic: parseAnthropicSignal,
  ietf: parseIetfSignal,
  // No limit headers, but Retry-After is plain HTTP and worth honouring from anyone.
  none: (input) => buildSignal(input, [], retryAfterFromHeaders(input)),
};

export function parseRateLimitSignal(dialect: Dialect, response: UpstreamAnswer, now: number): RateLimitSignal {
  return parsers[dialect](createSignalInput(response, now));
}
