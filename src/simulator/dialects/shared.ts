/**
 * What the simulator's per-dialect 429 builders share: the answer shape, the request's view of the
 * limit it broke, and message helpers. The simulator's own code, never the gateway's: it is the
 * independent referee, so it shares no limit, dialect or header code with src/upstream.
 */
import type { SimModel } from '../fleet-spec.js';
import type { LimitView } from '../provider-limits.js';
import { periodOf } from '../signal-formats.js';

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One refused request, as every dialect's builder sees it. */
export interface RateLimitInput {
  model: SimModel;
  /** The limit the request broke. */
  view: LimitView;
  /** Until the request would fit, in ms. */
  retryMs: number;
  /** What the request asked of that limit (1 request, or its tokens). */
  requested: number;
  /** The dialect's rate-limit headers for every limit of this request. */
  headers: Record<string, string>;
  /** `retryMs` as whole seconds, for Retry-After. */
  retryAfter: string;
  /** The limit's window in words: second, minute, day… */
  period: string;
  /** Fleet epoch ms. */
  now: number;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers,
  body: JSON.stringify(body),
});

export const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** OpenAI's (and Groq's) wording, with the wait spelled out the way clients parse it. */
export function openAiMessage(model: SimModel, view: LimitView, requested: number, retryMs: number): string {
  const short = `${view.limit.unit === 'requests' ? 'RP' : 'TP'}${periodOf(view).charAt(0).toUpperCase()}`;
  const used = view.amount - Math.max(0, view.remaining);
  return (
    `Rate limit reached for ${model.upstreamId} in organization org-sim on ${view.limit.unit} per ${periodOf(view)} (${short}): ` +
    `Limit ${view.amount}, Used ${used}, Requested ${requested}. Please try again in ${(retryMs / 1000).toFixed(3)}s.`
  );
}

/** Gemini's quota id for a limit, as its RetryInfo/QuotaFailure details name it. */
export function geminiQuotaId(view: LimitView): string {
  const period = capitalised(periodOf(view));
  return view.limit.unit === 'requests'
    ? `GenerateRequestsPer${period}PerProjectPerModel-FreeTier`
    : `GenerateContentInputTokensPerModelPer${period}-FreeTier`;
}
