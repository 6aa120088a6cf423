/**
 * Real provider error bodies (shapes and texts as providers send them; ids shortened), with the
 * classification each must get. Sources: shared/docs/provider-signals.md §1 and the issues it cites.
 */
import type { ErrorCode, RetryScope } from '../../src/core/errors.js';
import type { RateLimitSignal } from '../../src/core/rate-limit-signal.js';

export interface ErrorFixture {
  name: string;
  status: number;
  body: unknown;
  signal?: RateLimitSignal;
  headers?: Record<string, string>;
  code: ErrorCode;
  retry: RetryScope;
  retryAfterMs?: number;
  /** Text the message must contain (passed-through 400s). */
  messageIncludes?: string;
}

export const fixtures: ErrorFixture[] = [
  {
    name: 'OpenAI 429 tokens per minute',
    status: 429,
    body: {
      error: {
        message:
          'Rate limit reached for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1601. Please try again in 18.642s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'tokens',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
    code: 'upstream_rate_limited',
    retry: 'other',
    retryAfterMs: 18_642,
  },
  {
    name: 'OpenAI 429 insufficient_quota',
    status: 429,
    body: {
      error: {
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'OpenAI 400 context_length_exceeded',
    status: 400,
    body: {
      error: {
        message:
          "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    },
    code: 'context_length_exceeded',
    retry: 'other',
    messageIncludes: 'maximum context length is 8192',
  },
  {
    name: 'OpenAI 400 invalid value',
    status: 400,
    body: {
      error: {
        message: "Invalid value for 'temperature': expected a number ≤ 2.",
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      },
    },
    code: 'upstream_bad_request',
    retry: 'never',
    messageIncludes: "Invalid value for 'temperature'",
  },
  {
    name: 'OpenAI 401 invalid key (echoes the key)',
    status: 401,
    body: {
      error: {
        message:
          'Incorrect API key provided: sk-proj-AbCdEfGhIjKlMnOpQrStUv. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    },
    code: 'upstream_auth_failed',
    retry: 'other',
  },
  {
    name: 'OpenAI 404 model does not exist',
    status: 404,
    body: {
      error: {
        message: 'The model `gpt-9` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    },
    code: 'upstream_model_gone',
    retry: 'other',
  },
  {
    name: 'Azure OpenAI 400 content filter',
    status: 400,
    body: {
      error: {
        message:
          "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
        type: null,
        param: 'prompt',
        code: 'content_filter',
        status: 400,
      },
    },
    code: 'content_filtered',
    retry: 'never',
  },
  {
    name: 'OpenAI 500 server error',
    status: 500,
    body: {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    },
    code: 'upstream_server_error',
    retry: 'same',
  },
  {
    name: 'Groq 429 tokens per minute (retry-after header)',
    status: 429,
    body: {
      error: {
        message:
          'Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01hx` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 5800, Requested 1200. Please try again in 2s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    },
    signal: { observations: [], retryAfterMs: 2_000 },
    code: 'upstream_rate_limited',
    retry: 'other',
    retryAfterMs: 2_000,
  },
  {
    name: 'Groq 429 requests per day',
    status: 429,
    body: {
      error: {
        message:
          'Rate limit reached for model `llama-3.1-8b-instant` in organization `org_01hx` service tier `on_demand` on requests per day (RPD): Limit 14400, Used 14400, Requested 1. Please try again in 1m26.4s.',
        type: 'requests',
        code: 'rate_limit_exceeded',
      },
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
    retryAfterMs: 86_400,
  },
  {
    name: 'Groq 413 request too large for the TPM limit',
    status: 413,
    body: {
      error: {
        message:
          'Request too large for model `llama-3.1-8b-instant` in organization `org_01hx` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Requested 12000, please reduce your message size and try again.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    },
    code: 'upstream_request_too_large',
    retry: 'other',
  },
  {
    name: 'Groq 498 flex tier capacity',
    status: 498,
    body: {
      error: {
        message: 'Capacity exceeded for flex tier. Please try again later.',
        type: 'capacity_exceeded',
        code: 'capacity_exceeded',
      },
    },
    code: 'upstream_overloaded',
    retry: 'other',
  },
  {
    name: 'Cerebras 429 per minute ("too many tokens" is not a context error here)',
    status: 429,
    body: {
      message: 'Tokens per minute limit exceeded - too many tokens processed.',
      type: 'too_many_tokens_error',
      param: 'quota',
      code: 'token_quota_exceeded',
    },
    code: 'upstream_rate_limited',
    retry: 'other',
  },
  {
    name: 'Cerebras 429 per day',
    status: 429,
    body: {
      message: 'Requests per day limit exceeded - too many requests processed.',
      type: 'too_many_requests_error',
      param: 'quota',
      code: 'request_quota_exceeded',
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'Cerebras 400 context (top-level error fields)',
    status: 400,
    body: {
      message: 'Please reduce the length of the messages or completion.',
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    },
    code: 'context_length_exceeded',
    retry: 'other',
  },
  {
    name: 'Gemini 429 RESOURCE_EXHAUSTED PerDay',
    status: 429,
    body: {
      error: {
        code: 429,
        message:
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
                quotaDimensions: { location: 'global', model: 'gemini-2.0-flash' },
                quotaValue: '200',
              },
            ],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              {
                description: 'Learn more about Gemini API quotas',
                url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '26s' },
        ],
      },
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
    retryAfterMs: 26_000,
  },
  {
    name: 'Gemini 429 RESOURCE_EXHAUSTED PerMinute (says "billing" too)',
    status: 429,
    body: {
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan and billing details.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaId: 'GenerateContentInputTokensPerModelPerMinute-FreeTier',
                quotaDimensions: { model: 'gemini-2.0-flash' },
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '26s' },
        ],
      },
    },
    code: 'upstream_rate_limited',
    retry: 'other',
    retryAfterMs: 26_000,
  },
  {
    name: 'Gemini 400 API_KEY_INVALID (a key problem, not the caller)',
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
        ],
      },
    },
    code: 'upstream_auth_failed',
    retry: 'other',
  },
  {
    name: 'Gemini 503 model overloaded (OpenAI-compatible endpoint wraps in a list)',
    status: 503,
    body: [
      { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
    ],
    code: 'upstream_overloaded',
    retry: 'other',
  },
  {
    name: 'Gemini 400 input token count exceeds the window',
    status: 400,
    body: {
      error: {
        code: 400,
        message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
        status: 'INVALID_ARGUMENT',
      },
    },
    code: 'context_length_exceeded',
    retry: 'other',
  },
  {
    name: 'OpenRouter 429 free-models-per-day',
    status: 429,
    body: {
      error: {
        message: 'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day',
        code: 429,
        metadata: {
          headers: { 'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1788220800000' },
          provider_name: null,
        },
      },
      user_id: 'user_2abc',
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'OpenRouter 429 upstream provider rate-limited',
    status: 429,
    body: {
      error: {
        message: 'Provider returned error',
        code: 429,
        metadata: {
          raw: 'meta-llama/llama-3.3-70b-instruct:free is temporarily rate-limited upstream. Please retry shortly.',
          provider_name: 'Chutes',
        },
      },
    },
    code: 'upstream_rate_limited',
    retry: 'other',
  },
  {
    name: 'OpenRouter 402 insufficient credits',
    status: 402,
    body: { error: { message: 'Insufficient credits. Add more using https://openrouter.ai/credits', code: 402 } },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'OpenRouter 403 moderation flagged the input',
    status: 403,
    body: {
      error: {
        code: 403,
        message: 'meta-llama/llama-guard requires moderation: Input was flagged',
        metadata: { reasons: ['violence'], flagged_input: '…' },
      },
    },
    code: 'content_filtered',
    retry: 'never',
  },
  {
    name: 'OpenRouter 200 stream whose first event is an error',
    status: 200,
    body: {
      id: 'gen-1',
      object: 'chat.completion.chunk',
      error: { code: 502, message: 'Provider disconnected' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    },
    code: 'upstream_server_error',
    retry: 'same',
  },
  {
    name: 'OpenRouter 400 context (endpoint maximum)',
    status: 400,
    body: {
      error: {
        message:
          "This endpoint's maximum context length is 131072 tokens. However, you requested about 140000 tokens. Please reduce the length.",
        code: 400,
      },
    },
    code: 'context_length_exceeded',
    retry: 'other',
  },
  {
    name: 'Cloudflare 429 code 3036 daily neurons',
    status: 429,
    body: {
      errors: [
        {
          message:
            "AiError: AiError: You have used up your daily free allocation of 10,000 neurons, please upgrade to Cloudflare's Workers Paid plan if you would like to continue usage. (0e4b1c2a)",
          code: 3036,
        },
      ],
      success: false,
      result: {},
      messages: [],
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'Cloudflare 429 code 3040 out of capacity',
    status: 429,
    body: {
      errors: [{ message: 'AiError: No more data centers to forward the request to', code: 3040 }],
      success: false,
      result: {},
      messages: [],
    },
    code: 'upstream_overloaded',
    retry: 'other',
  },
  {
    name: 'Cloudflare 401 authentication error',
    status: 401,
    body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] },
    code: 'upstream_auth_failed',
    retry: 'other',
  },
  {
    name: 'Together 503 platform busy',
    status: 503,
    body: {
      id: 'nqf1',
      error: { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null },
    },
    code: 'upstream_overloaded',
    retry: 'other',
  },
  {
    name: 'Together 429 dynamic limit',
    status: 429,
    body: {
      error: {
        message: 'You are above your dynamic request rate limit. Please slow down.',
        type: 'dynamic_request_limited',
        param: null,
        code: null,
      },
    },
    code: 'upstream_rate_limited',
    retry: 'other',
  },
  {
    name: 'Anthropic 429 rate_limit_error with retry-after',
    status: 429,
    body: {
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'This request would exceed the rate limit for your organization of 50,000 input tokens per minute.',
      },
    },
    signal: { observations: [], retryAfterMs: 12_000 },
    code: 'upstream_rate_limited',
    retry: 'other',
    retryAfterMs: 12_000,
  },
  {
    name: 'Anthropic 529 overloaded_error',
    status: 529,
    body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    code: 'upstream_overloaded',
    retry: 'other',
  },
  {
    name: 'Anthropic 400 prompt is too long',
    status: 400,
    body: {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long: 215000 tokens > 200000 maximum' },
    },
    code: 'context_length_exceeded',
    retry: 'other',
  },
  {
    name: 'Anthropic 401 invalid x-api-key',
    status: 401,
    body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } },
    code: 'upstream_auth_failed',
    retry: 'other',
  },
  {
    name: 'Mistral 400 too large for the model window',
    status: 400,
    body: {
      object: 'error',
      message: 'Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum context length',
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
    code: 'context_length_exceeded',
    retry: 'other',
  },
  {
    name: 'SambaNova 429 violated a day window',
    status: 429,
    body: {
      error: {
        message: 'Request would exceed rate limit. Violated duration_s: 86400, current usage: 196279, limit: 200000',
      },
    },
    code: 'upstream_quota_exhausted',
    retry: 'other',
  },
  {
    name: 'nginx 502 HTML page',
    status: 502,
    body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
    code: 'upstream_server_error',
    retry: 'same',
  },
];
