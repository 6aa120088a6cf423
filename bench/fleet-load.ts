/**
 * Open-loop load for the fleet benchmark: requests start on a fixed schedule whatever happens to
 * earlier ones (as independent users would send them), and each records how it ended. Two senders:
 * through Freeway, and a naive client that rotates over the providers itself and, on a 429, waits a
 * fixed pause and tries the next one until its own deadline.
 */
import { Agent, request } from 'undici';
import { openLoop } from './paced-load.js';
import { percentile } from './support.js';

export interface Outcome {
  isOk: boolean;
  status: number;
  /** The error code in the body, when it failed. */
  code?: string;
  /** Upstream 429s this request met on its way (the naive client sees every one). */
  upstream429s: number;
  attempts: number;
}

export interface LoadSummary {
  sent: number;
  succeeded: number;
  /** Successes that ended within the load's own window (the capacity window), not in the drain after it. */
  succeededInWindow: number;
  byOutcome: Record<string, number>;
  upstream429sSeenByClient: number;
  attempts: number;
  /** Wall ms from a request's start to its end: median and 99th percentile. */
  p50Ms: number;
  p99Ms: number;
  /** How far behind its schedule the last request started, in wall ms (the generator's own lag). */
  sendLagMs: number;
}

const agent = new Agent({ connections: 2048, keepAliveTimeout: 30_000 });

const prompt = (i: number) => [{ role: 'user', content: `Request ${i}: give one short sentence about rate limits.` }];

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const response = await request(url, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.body.text();
  if (response.statusCode === 200) return { status: 200 };
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; type?: unknown; status?: unknown } };
    const code = parsed.error?.code ?? parsed.error?.status ?? parsed.error?.type;
    return { status: response.statusCode, code: typeof code === 'string' || typeof code === 'number' ? String(code) : String(response.statusCode) };
  } catch {
    return { status: response.statusCode, code: String(response.statusCode) };
  }
}

/** Starts `count` requests evenly over `durationMs` of wall time and waits for all of them. */
export async function runOpenLoop(count: number, durationMs: number, send: (i: number) => Promise<Outcome>): Promise<LoadSummary> {
  const started = performance.now();
  const durations: number[] = [];
  const endedAt: number[] = [];
  let sendLagMs = 0;
  const outcomes = await openLoop(count, (1000 * count) / durationMs, async (i, dueAt) => {
    const sentAt = performance.now();
    sendLagMs = Math.max(0, sentAt - dueAt);
    const outcome = await send(i).catch((error: unknown): Outcome => ({ isOk: false, status: 0, code: String((error as Error).message ?? error), upstream429s: 0, attempts: 0 }));
    durations.push(performance.now() - sentAt);
    if (outcome.isOk) endedAt.push(performance.now());
    return outcome;
  });
  durations.sort((a, b) => a - b);
  const durationAt = (p: number) => Math.round(percentile(durations, p) || 0);
  const byOutcome: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.isOk ? 'ok' : `${o.status} ${o.code ?? ''}`.trim();
    byOutcome[key] = (byOutcome[key] ?? 0) + 1;
  }
  return {
    sent: count,
    succeeded: outcomes.filter((o) => o.isOk).length,
    succeededInWindow: endedAt.filter((at) => at <= started + durationMs).length,
    byOutcome,
    upstream429sSeenByClient: outcomes.reduce((sum, o) => sum + o.upstream429s, 0),
    attempts: outcomes.reduce((sum, o) => sum + o.attempts, 0),
    p50Ms: durationAt(50),
    p99Ms: durationAt(99),
    sendLagMs: Math.round(sendLagMs),
  };
}

export interface GatewaySenderOptions {
  /** One gateway, or several instances sharing one quota ledger: requests rotate over them as a load balancer would. */
  urls: string[];
  maxTokens: number;
  /** x-freeway-max-wait-ms, in the gateway's (fleet) ms. */
  maxWaitMs: number;
}

export function gatewaySender(options: GatewaySenderOptions): (i: number) => Promise<Outcome> {
  return async (i) => {
    const body = { model: 'auto', messages: prompt(i), max_tokens: options.maxTokens };
    const url = options.urls[i % options.urls.length]!;
    const answer = await post(`${url}/v1/chat/completions`, body, { 'x-freeway-max-wait-ms': String(options.maxWaitMs) });
    // The gateway's own 429 is quota_exhausted; any other 429 would be an upstream one passed through.
    const isUpstream429 = answer.status === 429 && answer.code !== 'quota_exhausted';
    return { isOk: answer.status === 200, status: answer.status, ...(answer.code ? { code: answer.code } : {}), upstream429s: isUpstream429 ? 1 : 0, attempts: 1 };
  };
}

export interface NaiveTarget {
  baseUrl: string;
  apiKey: string;
  model: string;
}

export interface NaiveSenderOptions {
  targets: NaiveTarget[];
  maxTokens: number;
  /** Wall ms to wait after a 429 before the next try. */
  pauseMs: number;
  /** Wall ms after which a request gives up. */
  deadlineMs: number;
}

/** Round robin over every (provider, model), one global rotation; 429: pause, then the next one. */
export function naiveSender(options: NaiveSenderOptions): (i: number) => Promise<Outcome> {
  let next = 0;
  return async (i) => {
    const started = performance.now();
    let upstream429s = 0;
    let attempts = 0;
    for (;;) {
      const target = options.targets[next++ % options.targets.length]!;
      attempts += 1;
      const answer = await post(`${target.baseUrl}/chat/completions`, { model: target.model, messages: prompt(i), max_tokens: options.maxTokens }, { authorization: `Bearer ${target.apiKey}` });
      if (answer.status === 200) return { isOk: true, status: 200, upstream429s, attempts };
      if (answer.status === 429) upstream429s += 1;
      const isOutOfTime = performance.now() - started + options.pauseMs > options.deadlineMs;
      if (isOutOfTime) return { isOk: false, status: answer.status, ...(answer.code ? { code: answer.code } : {}), upstream429s, attempts };
      if (answer.status === 429) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  };
}

export const closeLoadAgent = (): Promise<void> => agent.close();
