/**
 * The error answers of each dialect, as the real providers send them (facts page §1.1): the 429 over
 * a limit (one builder per dialect in dialects/), the 401 for a wrong key, the "busy" answer and
 * plain 5xx. Bodies never contain an API key.
 */
import type { SimDialect, SimModel } from './fleet-spec.js';
import type { LimitView, Rejection } from './provider-limits.js';
import { rateLimitHeaders } from './success-headers.js';
import { periodOf, wholeSeconds } from './signal-formats.js';
import { json, rateLimitBuilders, type SimResponse } from './dialects/index.js';

export type { SimResponse } from './dialects/index.js';

export interface RateLimitContext {
  dialect: SimDialect;
  model: SimModel;
  rejection: Rejection;
  /** Every limit of this request, for the dialects that send headers on a 429 too. */
  views: LimitView[];
  /** Fleet epoch ms. */
  now: number;
}

/** The provider's own 429 for a request over `rejection.view`: its dialect's builder in dialects/. */
export function rateLimitResponse({ dialect, model, rejection, views, now }: RateLimitContext): SimResponse {
  const { view, retryMs, requested } = rejection;
  return rateLimitBuilders[dialect]({
    model,
    view,
    retryMs,
    requested,
    headers: rateLimitHeaders(dialect, views, now),
    retryAfter: wholeSeconds(retryMs),
    period: periodOf(view),
    now,
  });
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
