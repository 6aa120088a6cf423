/**
 * The simulator's 429 per dialect, one file each (as src/upstream/dialects/ parses them on the
 * gateway's side; the two never share code). Adding a dialect: a file here and a line below.
 */
import type { SimDialect } from '../fleet-spec.js';
import { anthropicRateLimit } from './anthropic.js';
import { cerebrasRateLimit } from './cerebras.js';
import { cloudflareRateLimit } from './cloudflare.js';
import { geminiRateLimit } from './gemini.js';
import { groqRateLimit } from './groq.js';
import { ietfRateLimit } from './ietf.js';
import { mistralRateLimit } from './mistral.js';
import { noneRateLimit } from './none.js';
import { openaiRateLimit } from './openai.js';
import { openrouterRateLimit } from './openrouter.js';
import type { RateLimitInput, SimResponse } from './shared.js';
import { togetherRateLimit } from './together.js';

export const rateLimitBuilders: Record<SimDialect, (input: RateLimitInput) => SimResponse> = {
  openai: openaiRateLimit,
  groq: groqRateLimit,
  cerebras: cerebrasRateLimit,
  openrouter: openrouterRateLimit,
  gemini: geminiRateLimit,
  mistral: mistralRateLimit,
  cloudflare: cloudflareRateLimit,
  together: togetherRateLimit,
  anthropic: anthropicRateLimit,
  ietf: ietfRateLimit,
  none: noneRateLimit,
};

export { json, type RateLimitInput, type SimResponse } from './shared.js';
