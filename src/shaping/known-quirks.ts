/**
 * What providers are known to reject before any call teaches it, as data with a source and a date,
 * keyed by catalog provider id. These rules seed each deployment's profile; what Freeway learns from
 * real 400s is added on top. Only documented facts belong here: anything else is learned.
 */
import type { ParamRules } from './soft-params.js';

export interface KnownQuirk {
  rules: ParamRules;
  source: string;
  asOf: string;
}

export const knownQuirks: Readonly<Record<string, KnownQuirk>> = {
  groq: {
    // "The following fields are currently not supported and will result in a 400 error: logprobs,
    // logit_bias, top_logprobs"; `n` must be 1.
    rules: { logprobs: { action: 'drop' }, top_logprobs: { action: 'drop' }, logit_bias: { action: 'drop' }, n: { action: 'clamp', max: 1 } },
    source: 'https://console.groq.com/docs/openai (as quoted in groq/groq-python#31)',
    asOf: '2024-04',
  },
  cerebras: {
    // "These fields will result in a 400 error: frequency_penalty, logit_bias, presence_penalty,
    // parallel_tool_calls, service_tier".
    rules: {
      frequency_penalty: { action: 'drop' },
      presence_penalty: { action: 'drop' },
      logit_bias: { action: 'drop' },
      parallel_tool_calls: { action: 'drop' },
      service_tier: { action: 'drop' },
    },
    source: 'https://inference-docs.cerebras.ai/resources/openai (unsupported OpenAI features, as listed in the req_llm Cerebras guide)',
    asOf: '2026-01',
  },
};
