/**
 * The free providers that the facts file lists with small or no model tables. Facts with their
 * source and date; corrections to the facts file are marked "corrected". Data only.
 */
import type { RawProvider } from '../catalog-schema.js';
import { cheahjs, cited, requests, tokens } from './fact-sources.js';

const openRouterFreeDoc = cited('https://openrouter.ai/docs/guides/routing/model-variants/free', '2026-07');
const geminiRateLimits = cited('https://ai.google.dev/gemini-api/docs/rate-limits', '2026-07');
const cerebrasRetired = cited(
  'https://raw.githubusercontent.com/juspay/neurolink/master/docs/getting-started/providers/cerebras.md (live /v1/models, 2026-08-27)',
  '2026-08-27',
);

const openRouterModels = [
  'nousresearch/hermes-3-llama-3.1-405b:free',
  'meta-llama/llama-3.2-3b-instruct:free',
  'meta-llama/llama-3.3-70b-instruct:free',
  'cognitivecomputations/dolphin-mistral-24b-venice-edition:free',
  'cohere/north-mini-code:free',
  'google/gemma-4-26b-a4b-it:free',
  'google/gemma-4-31b-it:free',
  'nvidia/nemotron-3-nano-30b-a3b:free',
  'nvidia/nemotron-3-nano-omni-30b-a3b-reasoning:free',
  'nvidia/nemotron-3-super-120b-a12b:free',
  'nvidia/nemotron-3-ultra-550b-a55b:free',
  'nvidia/nemotron-3.5-content-safety:free',
  'nvidia/nemotron-nano-12b-v2-vl:free',
  'nvidia/nemotron-nano-9b-v2:free',
  'openai/gpt-oss-20b:free',
  'poolside/laguna-m.1:free',
  'poolside/laguna-xs-2.1:free',
  'qwen/qwen3-coder:free',
  'qwen/qwen3-next-80b-a3b-instruct:free',
  'tencent/hy3:free',
];

const openRouter: RawProvider = {
  id: 'openrouter',
  name: 'OpenRouter',
  category: 'free',
  website: 'https://openrouter.ai',
  baseUrl: 'https://openrouter.ai/api/v1',
  baseUrlSource: 'cheahjs script (GET https://openrouter.ai/api/v1/models)',
  apiStyle: 'openai',
  keyEnvVars: ['OPENROUTER_API_KEY'],
  dialect: 'openrouter',
  limitScope: {
    scope: 'account',
    perModel: false,
    note: 'Models share a common quota; extra keys add nothing',
    ...openRouterFreeDoc,
  },
  calendarTimeZone: 'UTC',
  limits: [requests(20, 'minute', cheahjs), requests(50, 'day', cheahjs)],
  caveats: [
    'Up to 1,000 requests/day once $10 of credits have ever been bought.',
    'Busy models can carry their own lower caps (captured 429s show 8 requests/minute).',
    'Only `:free` model ids priced 0 count as free.',
  ],
  headers: { 'X-Title': 'Freeway' },
  models: openRouterModels.map((upstreamId) => ({ upstreamId })),
};

const googleModel = (upstreamId: string, tpm: number, rpd: number, rpm: number) => ({
  upstreamId,
  limits: [
    tokens(tpm, 'minute', cheahjs, 'input tokens'),
    requests(rpd, 'day', cheahjs),
    requests(rpm, 'minute', cheahjs),
  ],
});

const googleAiStudio: RawProvider = {
  id: 'google-ai-studio',
  name: 'Google AI Studio',
  category: 'free',
  website: 'https://aistudio.google.com',
  // corrected: the facts file gives the native endpoint; Freeway speaks OpenAI's protocol.
  baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  baseUrlSource: 'Gemini API OpenAI compatibility (https://ai.google.dev/gemini-api/docs/openai)',
  apiStyle: 'openai',
  keyEnvVars: ['GEMINI_API_KEY'],
  dialect: 'gemini',
  limitScope: { scope: 'project', perModel: true, note: 'Per project, not per API key', ...geminiRateLimits },
  calendarTimeZone: 'America/Los_Angeles',
  caveats: [
    'Data is used for training when used outside of the UK/CH/EEA/EU.',
    'tokens/minute is the free-tier input-token quota.',
    'Requests/day reset at midnight Pacific time.',
    '"Gemini 3.5 Flash" (id gemini-3-5-flash) shares the gemini-3-flash quota in the source script; its id is unverified.',
  ],
  models: [
    googleModel('gemini-3-5-flash', 250_000, 20, 5),
    googleModel('gemini-3-flash-preview', 250_000, 20, 5),
    googleModel('gemini-3.1-flash-lite-preview', 250_000, 500, 15),
    googleModel('gemini-2.5-flash', 250_000, 20, 5),
    googleModel('gemini-2.5-flash-lite', 250_000, 20, 10),
    googleModel('gemini-3.1-flash-tts-preview', 10_000, 10, 3),
    googleModel('gemini-2.5-flash-preview-tts', 10_000, 10, 3),
    googleModel('gemini-robotics-er-1.6-preview', 250_000, 20, 5),
    googleModel('gemini-robotics-er-1.5-preview', 250_000, 20, 10),
    googleModel('gemma-3-27b-it', 15_000, 14_400, 30),
    googleModel('gemma-3-12b-it', 15_000, 14_400, 30),
    googleModel('gemma-3-4b-it', 15_000, 14_400, 30),
    googleModel('gemma-3-1b-it', 15_000, 14_400, 30),
  ],
};

const nvidiaNim: RawProvider = {
  id: 'nvidia-nim',
  name: 'NVIDIA NIM',
  category: 'free',
  website: 'https://build.nvidia.com/explore/discover',
  baseUrl: 'https://integrate.api.nvidia.com/v1',
  baseUrlSource: 'NVIDIA API catalog endpoint (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['NVIDIA_API_KEY'],
  dialect: 'none',
  limitScope: {
    scope: 'account',
    perModel: false,
    ...cited('https://github.com/steipete/CodexBar/issues/2498', '2026-07'),
  },
  calendarTimeZone: null,
  limits: [requests(40, 'minute', cheahjs)],
  caveats: [
    'Phone number verification required.',
    'Models tend to be context window limited.',
    'The API-credit system has ended; the per-account limit now varies with model and traffic.',
  ],
  modelsNote: 'Various open models (https://build.nvidia.com/models); run `freeway catalog pull` to list them.',
};

const mistral: RawProvider = {
  id: 'mistral-la-plateforme',
  name: 'Mistral (La Plateforme)',
  category: 'free',
  website: 'https://console.mistral.ai/',
  baseUrl: 'https://api.mistral.ai/v1',
  baseUrlSource: 'Mistral API docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['MISTRAL_API_KEY'],
  dialect: 'mistral',
  limitScope: {
    scope: 'organization',
    perModel: false,
    note: 'Sources disagree (per model in cheahjs); counted as shared, which never admits more than the provider allows',
    ...cited(
      'https://help.mistral.ai/en/articles/424390-how-do-api-rate-limits-work-and-how-do-i-increase-them',
      '2026-07',
    ),
  },
  calendarTimeZone: null,
  limits: [requests(1, 'second', cheahjs), tokens(500_000, 'minute', cheahjs), tokens(1_000_000_000, 'month', cheahjs)],
  caveats: ['Free tier (Experiment plan) requires opting into data training.', 'Requires phone number verification.'],
  modelsNote: 'Open and proprietary Mistral models (https://docs.mistral.ai/getting-started/models/models_overview/).',
};

const codestral: RawProvider = {
  id: 'mistral-codestral',
  name: 'Mistral (Codestral)',
  category: 'free',
  website: 'https://codestral.mistral.ai/',
  baseUrl: 'https://codestral.mistral.ai/v1',
  baseUrlSource: 'Mistral Codestral docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['CODESTRAL_API_KEY'],
  dialect: 'mistral',
  limitScope: {
    scope: 'key',
    perModel: false,
    note: 'Not documented; a Codestral key belongs to one user',
    ...cheahjs,
  },
  calendarTimeZone: null,
  limits: [requests(30, 'minute', cheahjs), requests(2000, 'day', cheahjs)],
  caveats: ['Currently free to use.', 'Monthly subscription based.', 'Requires phone number verification.'],
  // corrected: the facts file names "Codestral" without an id; codestral-latest is Mistral's alias for it.
  models: [{ upstreamId: 'codestral-latest', displayName: 'Codestral', tags: ['code'] }],
};

const huggingFace: RawProvider = {
  id: 'huggingface-inference-providers',
  name: 'HuggingFace Inference Providers',
  category: 'free',
  website: 'https://huggingface.co/docs/inference-providers/en/index',
  baseUrl: 'https://router.huggingface.co/v1',
  baseUrlSource: 'Hugging Face router docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['HF_TOKEN'],
  dialect: 'none',
  limitScope: { scope: 'account', perModel: false, ...cheahjs },
  calendarTimeZone: null,
  credits: [{ usd: 0.1, period: 'month', ...cheahjs }],
  caveats: ['Serverless inference is limited to models smaller than 10GB, with some popular exceptions.'],
  modelsNote: 'Various open models across supported providers.',
};

const vercel: RawProvider = {
  id: 'vercel-ai-gateway',
  name: 'Vercel AI Gateway',
  category: 'free',
  website: 'https://vercel.com/docs/ai-gateway',
  baseUrl: 'https://ai-gateway.vercel.sh/v1',
  baseUrlSource: 'Vercel AI Gateway docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['AI_GATEWAY_API_KEY'],
  dialect: 'none',
  limitScope: { scope: 'account', perModel: false, ...cheahjs },
  calendarTimeZone: null,
  credits: [{ usd: 5, period: 'month', ...cheahjs }],
  caveats: ['Routes to various supported providers.'],
};

const openCodeZen: RawProvider = {
  id: 'opencode-zen',
  name: 'OpenCode Zen',
  category: 'free',
  website: 'https://opencode.ai/docs/zen/',
  baseUrl: 'https://opencode.ai/zen/v1',
  baseUrlSource: 'OpenCode Zen docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['OPENCODE_API_KEY'],
  dialect: 'none',
  limitScope: { scope: 'account', perModel: false, note: 'No limits stated', ...cheahjs },
  calendarTimeZone: null,
  caveats: ['AI gateway with curated models.', 'Free models may use data for improvement.', 'No limits are published.'],
  unlistedModels: ['Big Pickle Stealth', 'Nemotron 3 Super Free', 'DeepSeek V4 Flash Free'].map((displayName) => ({
    displayName,
    reason: 'named in the README without an upstream id',
  })),
};

const cerebrasLimits = [
  requests(30, 'minute', cheahjs),
  tokens(60_000, 'minute', cheahjs),
  requests(900, 'hour', cheahjs),
  tokens(1_000_000, 'hour', cheahjs),
  requests(14_400, 'day', cheahjs),
  tokens(1_000_000, 'day', cheahjs),
];

const cerebras: RawProvider = {
  id: 'cerebras',
  name: 'Cerebras',
  category: 'free',
  website: 'https://cloud.cerebras.ai/',
  baseUrl: 'https://api.cerebras.ai/v1',
  baseUrlSource: 'Cerebras inference docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['CEREBRAS_API_KEY'],
  dialect: 'cerebras',
  limitScope: {
    scope: 'organization',
    perModel: true,
    note: 'Token buckets that refill continuously',
    ...cited('https://inference-docs.cerebras.ai/support/rate-limits', '2026-07'),
  },
  calendarTimeZone: null,
  caveats: [
    'Admission counts estimated input tokens plus max_completion_tokens.',
    'Free-tier context is 65K tokens on gpt-oss-120b (131K paid), per a third-party check on 2026-08-27.',
  ],
  models: [{ upstreamId: 'gpt-oss-120b', limits: cerebrasLimits }],
  unlistedModels: [
    {
      displayName: 'Llama 3.1 8B',
      reason: `stale: no id in the facts, and llama3.1-8b has since been retired (${cerebrasRetired.source})`,
    },
  ],
};

export const freeProviders: RawProvider[] = [
  openRouter,
  googleAiStudio,
  nvidiaNim,
  mistral,
  codestral,
  huggingFace,
  vercel,
  openCodeZen,
  cerebras,
];
