/**
 * The rate-limit headers each dialect sends on every answer (and, for most, on its 429s too), from
 * the facts page §1.1–1.2. OpenRouter, Gemini, Cloudflare and `none` send none on success.
 */
import type { SimDialect } from './fleet-spec.js';
import type { LimitView } from './provider-limits.js';
import {
  byPeriod,
  clampRemaining,
  floatSeconds,
  goDuration,
  periodOf,
  rfc3339,
  tightest,
  wholeSeconds,
} from './signal-formats.js';

type Headers = Record<string, string>;

function openAiStyle(headers: Headers, requests: LimitView | undefined, tokens: LimitView | undefined): void {
  if (requests) {
    headers['x-ratelimit-limit-requests'] = String(requests.amount);
    headers['x-ratelimit-remaining-requests'] = clampRemaining(requests);
    headers['x-ratelimit-reset-requests'] = goDuration(requests.resetMs);
  }
  if (tokens) {
    headers['x-ratelimit-limit-tokens'] = String(tokens.amount);
    headers['x-ratelimit-remaining-tokens'] = clampRemaining(tokens);
    headers['x-ratelimit-reset-tokens'] = goDuration(tokens.resetMs);
  }
}

function cerebras(headers: Headers, views: LimitView[]): void {
  const requestsDay = views.find((v) => v.limit.unit === 'requests' && periodOf(v) === 'day');
  const tokensMinute = views.find((v) => v.limit.unit === 'tokens' && periodOf(v) === 'minute');
  if (requestsDay) {
    headers['x-ratelimit-limit-requests-day'] = String(requestsDay.amount);
    headers['x-ratelimit-remaining-requests-day'] = clampRemaining(requestsDay);
    headers['x-ratelimit-reset-requests-day'] = floatSeconds(requestsDay.resetMs);
  }
  if (tokensMinute) {
    headers['x-ratelimit-limit-tokens-minute'] = String(tokensMinute.amount);
    headers['x-ratelimit-remaining-tokens-minute'] = clampRemaining(tokensMinute);
    headers['x-ratelimit-reset-tokens-minute'] = floatSeconds(tokensMinute.resetMs);
  }
}

function mistral(headers: Headers, views: LimitView[]): void {
  const tokens = tightest(views, 'tokens');
  if (tokens) {
    headers['ratelimitbysize-limit'] = String(tokens.amount);
    headers['ratelimitbysize-remaining'] = clampRemaining(tokens);
    headers['ratelimitbysize-reset'] = wholeSeconds(tokens.resetMs);
  }
  for (const period of ['minute', 'month'] as const) {
    const view = views.find((v) => v.limit.unit === 'tokens' && periodOf(v) === period);
    if (!view) continue;
    headers[`x-ratelimitbysize-limit-${period}`] = String(view.amount);
    headers[`x-ratelimitbysize-remaining-${period}`] = clampRemaining(view);
  }
}

function together(headers: Headers, views: LimitView[]): void {
  const requests = tightest(views, 'requests');
  const tokens = tightest(views, 'tokens');
  if (requests) {
    headers['x-ratelimit-limit'] = String(requests.amount);
    headers['x-ratelimit-remaining'] = clampRemaining(requests);
    headers['x-ratelimit-reset'] = wholeSeconds(requests.resetMs);
  }
  if (tokens) {
    headers['x-tokenlimit-limit'] = String(tokens.amount);
    headers['x-tokenlimit-remaining'] = clampRemaining(tokens);
  }
}

function anthropic(headers: Headers, views: LimitView[], now: number): void {
  for (const unit of ['requests', 'tokens'] as const) {
    const view = tightest(views, unit);
    if (!view) continue;
    headers[`anthropic-ratelimit-${unit}-limit`] = String(view.amount);
    headers[`anthropic-ratelimit-${unit}-remaining`] = clampRemaining(view);
    headers[`anthropic-ratelimit-${unit}-reset`] = rfc3339(now + view.resetMs);
  }
}

/** IETF draft: `RateLimit-Policy: "requests-minute";q=30;w=60` and `RateLimit: "requests-minute";r=29;t=2`. */
function ietf(headers: Headers, views: LimitView[]): void {
  if (views.length === 0) return;
  const name = (v: LimitView) => `"${v.level === 'model' ? 'model-' : ''}${v.limit.unit}-${v.limit.per}"`;
  headers['ratelimit-policy'] = views
    .map(
      (v) =>
        `${name(v)};q=${v.amount};w=${Math.max(1, Math.round(v.limit.windowMs / 1000))}${v.limit.unit === 'tokens' ? ';qu="tokens"' : ''}`,
    )
    .join(', ');
  headers['ratelimit'] = views.map((v) => `${name(v)};r=${clampRemaining(v)};t=${wholeSeconds(v.resetMs)}`).join(', ');
}

/** Rate-limit headers for `views` in the dialect's names and formats; `now` is fleet epoch ms. */
export function rateLimitHeaders(dialect: SimDialect, views: LimitView[], now: number): Headers {
  const headers: Headers = {};
  switch (dialect) {
    case 'openai':
      openAiStyle(headers, tightest(views, 'requests'), tightest(views, 'tokens'));
      break;
    case 'groq':
      // Groq: -requests are always the per-day limit, -tokens always the per-minute limit.
      openAiStyle(headers, byPeriod(views, 'requests', 'day'), byPeriod(views, 'tokens', 'minute'));
      break;
    case 'cerebras':
      cerebras(headers, views);
      break;
    case 'mistral':
      mistral(headers, views);
      break;
    case 'together':
      together(headers, views);
      break;
    case 'anthropic':
      anthropic(headers, views, now);
      break;
    case 'ietf':
      ietf(headers, views);
      break;
    default:
      break;
  }
  return headers;
}
