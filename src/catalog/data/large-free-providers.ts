/**
 * The free providers with long model tables: Groq, Cohere, GitHub Models and Cloudflare Workers AI.
 * Facts with their source and date; corrections to the facts file are marked "corrected". Data only.
 */
import type { RawProvider } from '../catalog-schema.js';
import { cheahjs, cited, requests, tokens } from './fact-sources.js';

const groqDocs = cited('https://console.groq.com/docs/rate-limits', '2026-07');

const groqModel = (upstreamId: string, rpd?: number, tpm?: number) => ({
  upstreamId,
  limits: [
    ...(rpd === undefined ? [] : [requests(rpd, 'day', cheahjs)]),
    ...(tpm === undefined ? [] : [tokens(tpm, 'minute', cheahjs)]),
  ],
});

const groq: RawProvider = {
  id: 'groq',
  name: 'Groq',
  category: 'free',
  website: 'https://console.groq.com',
  baseUrl: 'https://api.groq.com/openai/v1',
  baseUrlSource: 'cheahjs script (calls /models and /chat/completions under it)',
  apiStyle: 'openai',
  keyEnvVars: ['GROQ_API_KEY'],
  dialect: 'groq',
  limitScope: { scope: 'organization', perModel: true, ...groqDocs },
  // The reset headers count down continuously (e.g. 2m59.56s on requests/day): the windows roll.
  calendarTimeZone: null,
  caveats: [
    'Limits read from response headers by the cheahjs script; empty rows mean its probe failed.',
    'Cached tokens do not count; some organisations have separate input/output token limits.',
  ],
  quirks: { dropParams: ['logprobs', 'logit_bias', 'top_logprobs'] },
  models: [
    groqModel('allam-2-7b', 7000, 6000),
    {
      upstreamId: 'llama-3.1-8b-instant',
      limits: [
        requests(30, 'minute', groqDocs),
        requests(14_400, 'day', cheahjs),
        tokens(6000, 'minute', cheahjs),
        tokens(500_000, 'day', groqDocs),
      ],
    },
    {
      upstreamId: 'llama-3.3-70b-versatile',
      limits: [
        requests(30, 'minute', groqDocs),
        requests(1000, 'day', cheahjs),
        tokens(12_000, 'minute', cheahjs),
        tokens(100_000, 'day', groqDocs),
      ],
    },
    groqModel('whisper-large-v3', 2000),
    groqModel('whisper-large-v3-turbo', 2000),
    groqModel('canopylabs/orpheus-arabic-saudi'),
    groqModel('canopylabs/orpheus-v1-english'),
    groqModel('groq/compound', 250, 70_000),
    groqModel('groq/compound-mini', 250, 70_000),
    groqModel('meta-llama/llama-prompt-guard-2-22m'),
    groqModel('meta-llama/llama-prompt-guard-2-86m'),
    {
      upstreamId: 'openai/gpt-oss-120b',
      limits: [
        requests(30, 'minute', groqDocs),
        requests(1000, 'day', cheahjs),
        tokens(8000, 'minute', cheahjs),
        tokens(200_000, 'day', groqDocs),
      ],
    },
    groqModel('openai/gpt-oss-20b', 1000, 8000),
    groqModel('openai/gpt-oss-safeguard-20b', 1000, 8000),
    groqModel('qwen/qwen3.6-27b', 1000, 8000),
  ],
};

const cohere: RawProvider = {
  id: 'cohere',
  name: 'Cohere',
  category: 'free',
  website: 'https://cohere.com',
  // corrected: the facts file gives the native API; this is Cohere's OpenAI compatibility API.
  baseUrl: 'https://api.cohere.ai/compatibility/v1',
  baseUrlSource: 'Cohere compatibility API docs (https://docs.cohere.com/docs/compatibility-api)',
  apiStyle: 'openai',
  keyEnvVars: ['COHERE_API_KEY'],
  dialect: 'none',
  limitScope: {
    scope: 'key',
    perModel: false,
    note: 'Trial key: 1,000 calls/month across all endpoints',
    ...cited('https://docs.cohere.com/docs/rate-limits', '2026-07'),
  },
  calendarTimeZone: null,
  limits: [requests(20, 'minute', cheahjs), requests(1000, 'month', cheahjs)],
  caveats: ['Trial keys may not be used for production or commercial work.'],
  models: [
    'c4ai-aya-expanse-32b',
    'c4ai-aya-vision-32b',
    'command-a-03-2025',
    'command-a-plus-05-2026',
    'command-a-reasoning-08-2025',
    'command-a-translate-08-2025',
    'command-a-vision-07-2025',
    'command-r-08-2024',
    'command-r-plus-08-2024',
    'command-r7b-12-2024',
    'command-r7b-arabic-02-2025',
  ].map((upstreamId) => ({ upstreamId })),
};

const githubRetired = cited('https://github.blog/changelog/2026-07-30-github-models-is-now-retired/', '2026-07-30');

const githubModels: RawProvider = {
  id: 'github-models',
  name: 'GitHub Models',
  category: 'free',
  website: 'https://github.com/marketplace/models',
  // corrected: the facts file still lists it as live; GitHub retired it on 2026-07-30 (HTTP 410 since).
  status: 'retired',
  statusNote: { text: 'Fully retired on 2026-07-30: catalog and inference API answer 410 Gone.', ...githubRetired },
  baseUrl: 'https://models.github.ai/inference',
  baseUrlSource: 'GitHub Models docs (not in the cheahjs repo)',
  apiStyle: 'openai',
  keyEnvVars: ['GITHUB_TOKEN'],
  dialect: 'none',
  limitScope: {
    scope: 'account',
    perModel: true,
    note: 'Per user through the Copilot plan, by model tier',
    ...cited('https://docs.github.com/en/github-models/prototyping-with-ai-models#rate-limits', '2026-07'),
  },
  calendarTimeZone: null,
  caveats: [
    'Limits depended on the Copilot plan and model tier (Free, low tier: 15 requests/minute, 150/day; high tier: 10/minute, 50/day).',
    'Extremely restrictive token limits: 8,000 input and 4,000 output tokens per request.',
  ],
  unlistedModels: [
    'Codestral 25.01',
    'Cohere Command A',
    'DeepSeek-R1',
    'DeepSeek-R1-0528',
    'DeepSeek-V3-0324',
    'Llama 4 Maverick 17B 128E Instruct FP8',
    'Llama 4 Scout 17B 16E Instruct',
    'Llama-3.2-11B-Vision-Instruct',
    'Llama-3.2-90B-Vision-Instruct',
    'Llama-3.3-70B-Instruct',
    'Meta-Llama-3.1-405B-Instruct',
    'Meta-Llama-3.1-8B-Instruct',
    'Ministral 3B',
    'Mistral Medium 3 (25.05)',
    'Mistral Small 3.1',
    'OpenAI GPT-4.1',
    'OpenAI GPT-4.1-mini',
    'OpenAI GPT-4.1-nano',
    'OpenAI GPT-4o',
    'OpenAI GPT-4o mini',
    'OpenAI Text Embedding 3 (large)',
    'OpenAI Text Embedding 3 (small)',
    'OpenAI gpt-5',
    'OpenAI gpt-5-chat (preview)',
    'OpenAI gpt-5-mini',
    'OpenAI gpt-5-nano',
    'OpenAI o1',
    'OpenAI o1-mini',
    'OpenAI o1-preview',
    'OpenAI o3',
    'OpenAI o3-mini',
    'OpenAI o4-mini',
    'Phi-4',
    'Phi-4-mini-instruct',
    'Phi-4-mini-reasoning',
    'Phi-4-multimodal-instruct',
    'Phi-4-reasoning',
  ].map((displayName) => ({ displayName, reason: 'friendly name only in the facts; the provider is retired' })),
};

const cloudflareLimits = cited('https://developers.cloudflare.com/workers-ai/platform/limits', '2026-07');

const cloudflare: RawProvider = {
  id: 'cloudflare-workers-ai',
  name: 'Cloudflare Workers AI',
  category: 'free',
  website: 'https://developers.cloudflare.com/workers-ai',
  baseUrl: 'https://api.cloudflare.com/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/ai/v1',
  baseUrlSource: 'account path from the cheahjs script; the /ai/v1 OpenAI-compatible suffix from Cloudflare docs',
  apiStyle: 'openai',
  keyEnvVars: ['CLOUDFLARE_API_KEY'],
  extraEnvVars: ['CLOUDFLARE_ACCOUNT_ID'],
  dialect: 'cloudflare',
  limitScope: { scope: 'account', perModel: false, ...cloudflareLimits },
  calendarTimeZone: 'UTC',
  limits: [requests(300, 'minute', cloudflareLimits, 'text generation, per task type; some models override it')],
  neuronsPerDay: {
    amount: 10_000,
    note: 'resets 00:00 UTC; a model costs neurons per token at its own rate',
    ...cited('https://developers.cloudflare.com/workers-ai/platform/pricing/#free-allocation', '2026-07-18'),
  },
  caveats: ['429 with code 3036 means the daily neurons are spent; 3040 means no capacity right now.'],
  models: [
    '@cf/aisingapore/gemma-sea-lion-v4-27b-it',
    '@cf/google/gemma-4-26b-a4b-it',
    '@cf/ibm-granite/granite-4.0-h-micro',
    '@cf/moonshotai/kimi-k2.6',
    '@cf/moonshotai/kimi-k2.7-code',
    '@cf/nvidia/nemotron-3-120b-a12b',
    '@cf/openai/gpt-oss-120b',
    '@cf/openai/gpt-oss-20b',
    '@cf/qwen/qwen3-30b-a3b-fp8',
    '@cf/zai-org/glm-4.7-flash',
    '@cf/zai-org/glm-5.2',
    '@cf/deepseek-ai/deepseek-r1-distill-qwen-32b',
    '@cf/google/gemma-2b-it-lora',
    '@cf/google/gemma-7b-it-lora',
    '@cf/meta-llama/llama-2-7b-chat-hf-lora',
    '@cf/meta/llama-3.1-8b-instruct-fp8',
    '@cf/meta/llama-3.2-11b-vision-instruct',
    '@cf/meta/llama-3.2-1b-instruct',
    '@cf/meta/llama-3.2-3b-instruct',
    '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
    '@cf/meta/llama-4-scout-17b-16e-instruct',
    '@cf/meta/llama-guard-3-8b',
    '@cf/mistral/mistral-7b-instruct-v0.2-lora',
    '@cf/mistralai/mistral-small-3.1-24b-instruct',
    '@cf/qwen/qwen2.5-coder-32b-instruct',
    '@cf/qwen/qwq-32b',
  ].map((upstreamId) => ({ upstreamId })),
};

export const largeFreeProviders: RawProvider[] = [groq, cohere, githubModels, cloudflare];
