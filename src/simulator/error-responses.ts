/**
 * The error answers of each dialect, as the real providers send them (facts page §1.1): the 429 over
 * a limit (status, headers, body), the 401 for a wrong key, the "busy" answer and plain 5xx. Bodies
 * never contain an API key.
 */
import type { SimDialect, SimModel } from './fleet-spec.js';
import type { LimitView, Rejection } from './provider-limits.js';
import { rateLimitHeaders } from './success-headers.js';
import { periodOf, wholeSeconds } from './signal-formats.js';

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function openAiMessage(model: SimModel, view: LimitView, requested: number, retryMs: number): string {
  const short = `${view.limit.unit === 'requests' ? 'RP' : 'TP'}${periodOf(view).charAt(0).toUpperCase()}`;
  const used = view.amount - Math.max(0, view.remaining);
  return (
    `Rate limit reached for ${model.upstreamId} in organization org-sim on ${view.limit.unit} per ${periodOf(view)} (${short}): ` +
    `Limit ${view.amount}, Used ${used}, Requested ${requested}. Please try again in ${(retryMs / 1000).toFixed(3)}s.`
  );
}

function geminiQuotaId(view: LimitView): string {
  const period = capitalised(periodOf(view));
  return view.limit.unit === 'requests'
    ? `GenerateRequestsPer${period}PerProjectPerModel-FreeTier`
    : `GenerateContentInputTokensPerModelPer${period}-FreeTier`;
}

export interface RateLimitContext {
  dialect: SimDialect;
  model: SimModel;
  rejection: Rejection;
  /** Every limit of this request, for the dialects that send headers on a 429 too. */
  views: LimitView[];
  /** Fleet epoch ms. */
  now: number;
}

/** The provider's own 429 for a request over `rejection.view`. */
export function rateLimitResponse({ dialect, model, rejection, views, now }: RateLimitContext): SimResponse {
  const { view, retryMs, requested } = rejection;
  const headers = rateLimitHeaders(dialect, views, now);
  const retryAfter = wholeSeconds(retryMs);
  const period = periodOf(view);
  switch (dialect) {
    case 'openai':
      return json(
        429,
        {
          error: {
            message: openAiMessage(model, view, requested, retryMs),
            type: view.limit.unit,
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        headers,
      );
    case 'groq':
      return json(
        429,
        {
          error: {
            message: openAiMessage(model, view, requested, retryMs),
            type: view.limit.unit,
            code: 'rate_limit_exceeded',
          },
        },
        { ...headers, 'retry-after': retryAfter },
      );
    case 'cerebras': {
      const tokens = view.limit.unit === 'tokens';
      return json(
        429,
        {
          message: `${capitalised(view.limit.unit)} per ${period} limit exceeded - too many ${tokens ? 'tokens processed' : 'requests sent'}.`,
          type: 'too_many_requests_error',
          param: 'quota',
          code: tokens ? 'token_quota_exceeded' : 'request_quota_exceeded',
        },
        headers,
      );
    }
    case 'openrouter': {
      const daily = period === 'day';
      const resetAt = daily && view.limit.calendar ? now + view.resetMs : now + retryMs;
      const limitHeaders = {
        'X-RateLimit-Limit': String(view.amount),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(Math.ceil(resetAt)),
      };
      const name = daily ? 'free-models-per-day' : 'free-models-per-min';
      return json(
        429,
        {
          error: {
            code: 429,
            message:
              `Rate limit exceeded: ${name}. ${daily ? 'Add 10 credits to unlock 1000 free model requests per day' : ''}`.trim(),
            metadata: {
              headers: limitHeaders,
              limit_source: daily ? 'openrouter_free_tier_daily' : 'openrouter_free_tier_minute',
            },
          },
          user_id: 'user_sim',
        },
        limitHeaders,
      );
    }
    case 'gemini': {
      const quotaId = geminiQuotaId(view);
      const metric =
        view.limit.unit === 'requests'
          ? 'generate_content_free_tier_requests'
          : 'generate_content_free_tier_input_token_count';
      const seconds = Math.max(1, Math.ceil(retryMs / 1000));
      // Google's OpenAI-compatible endpoint answers with a one-element array.
      return json(429, [
        {
          error: {
            code: 429,
            message:
              `You exceeded your current quota, please check your plan and billing details. ` +
              `* Quota exceeded for metric: generativelanguage.googleapis.com/${metric}, limit: ${view.amount}, model: ${model.upstreamId}. Please retry in ${seconds}s.`,
            status: 'RESOURCE_EXHAUSTED',
            details: [
              {
                '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
                violations: [
                  {
                    quotaMetric: `generativelanguage.googleapis.com/${metric}`,
                    quotaId,
                    quotaDimensions: { location: 'global', model: model.upstreamId },
                    quotaValue: String(view.amount),
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
              { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
            ],
          },
        },
      ]);
    }
    case 'mistral':
      return json(
        429,
        { object: 'error', message: 'Requests rate limit exceeded', type: 'rate_limited', param: null, code: '1300' },
        headers,
      );
    case 'cloudflare':
      return json(429, {
        success: false,
        errors: [
          period === 'day'
            ? {
                code: 3036,
                message:
                  "Account limited: you have used up your daily free allocation of 10,000 neurons, please upgrade to Cloudflare's Workers Paid plan.",
              }
            : { code: 3040, message: 'Capacity temporarily exceeded, please try again.' },
        ],
        messages: [],
        result: null,
      });
    case 'together':
      return json(
        429,
        {
          error: {
            message: `You have exceeded your dynamic ${view.limit.unit === 'tokens' ? 'token' : 'request'} rate limit. Please slow down.`,
            type: view.limit.unit === 'tokens' ? 'dynamic_token_limited' : 'dynamic_request_limited',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
        headers,
      );
    case 'anthropic':
      return json(
        429,
        {
          type: 'error',
          error: {
            type: 'rate_limit_error',
            message: `This request would exceed the rate limit for your organization of ${view.amount} ${view.limit.unit} per ${period}.`,
          },
        },
        { ...headers, 'retry-after': retryAfter },
      );
    case 'ietf':
      return json(
        429,
        { error: { message: 'Too many requests', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
        { ...headers, 'retry-after': retryAfter },
      );
    case 'none':
      return json(429, { error: { message: 'Too Many Requests' } });
  }
}

/** A request that can never fit the limit (more tokens than the whole window allows). */
export function tooLargeResponse(model: SimModel, view: LimitView, requested: number): SimResponse {
  return json(413, {
    error: {
      message: `Request too large for model ${model.upstreamId} on ${view.limit.unit} per ${periodOf(view)}: Limit ${view.amount}, Requested ${requested}.`,
      type: view.limit.unit,
      code: 'rate_limit_exceeded',
    },
  });
}

export function unauthorizedResponse(dialect: SimDialect): SimResponse {
  switch (dialect) {
    case 'cerebras':
      return json(401, {
        message: 'Wrong API Key',
        type: 'invalid_request_error',
        param: 'api_key',
        code: 'wrong_api_key',
      });
    case 'openrouter':
      return json(401, { error: { message: 'No auth credentials found', code: 401 } });
    case 'gemini':
      return json(401, [
        { error: { code: 401, message: 'API key not valid. Please pass a valid API key.', status: 'UNAUTHENTICATED' } },
      ]);
    case 'mistral':
      return json(401, { message: 'Unauthorized', request_id: 'sim' });
    case 'cloudflare':
      return json(401, {
        success: false,
        errors: [{ code: 10000, message: 'Authentication error' }],
        messages: [],
        result: null,
      });
    case 'anthropic':
      return json(401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    case 'groq':
      return json(401, {
        error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    default:
      return json(401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
  }
}

/** The platform has no capacity: Together's 503, Cloudflare's 3040, a plain 503 elsewhere. */
export function busyResponse(dialect: SimDialect, status?: number): SimResponse {
  if (dialect === 'cloudflare') {
    return json(status ?? 429, {
      success: false,
      errors: [{ code: 3040, message: 'No more data centers to forward the request to.' }],
      messages: [],
      result: null,
    });
  }
  if (dialect === 'gemini') {
    return json(status ?? 503, [
      { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
    ]);
  }
  return json(status ?? 503, {
    error: {
      message: 'The server is overloaded or not ready yet.',
      type: 'service_unavailable',
      code: 'service_unavailable',
    },
  });
}

export function serverErrorResponse(status: number): SimResponse {
  return json(status, {
    error: { message: `Simulated upstream failure (${status}).`, type: 'server_error', code: 'internal_error' },
  });
}

export function invalidRequest(
  status: number,
  message: string,
  code: string,
  param: string | null = null,
): SimResponse {
  return json(status, { error: { message, type: 'invalid_request_error', param, code } });
}
