/**
 * The client side of bench/faults.ts: an open-loop load generator at a fixed rate (half the
 * requests streaming) that judges every answer the way a careful user would, and the naive client
 * (rotates providers, retries once) it is compared with. A stream counts as complete only with
 * `data: [DONE]` and no error event; one that ends without either is silently truncated.
 */
import { Agent, request } from 'undici';
import { openLoop } from './paced-load.js';
import { percentile } from './support.js';

export type Outcome = 'ok' | 'failed' | 'truncated' | 'cut-reported';

export interface Attempt {
  outcome: Outcome;
  /** HTTP status, 0 for a network failure or timeout. */
  status: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface LoadReport {
  requests: number;
  ok: number;
  failed: number;
  /** 200 streams that ended without [DONE] and without an error event. */
  truncated: number;
  /** Streams that had content and then ended with an error event (a cut after the first byte, reported). */
  cutReported: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });

export function chatBody(index: number, stream: boolean): string {
  const content = `Request ${index}: write one short sentence about rivers.`;
  return JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content }], max_tokens: 16, ...(stream ? { stream: true } : {}) });
}

/** Sends one chat request and judges what came back; never throws. */
export async function send(target: Target, body: string, stream: boolean, timeoutMs: number): Promise<Attempt> {
  let status = 0;
  let text = '';
  let isBroken = false;
  try {
    const response = await request(target.url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...target.headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.statusCode;
    try {
      for await (const chunk of response.body) text += (chunk as Buffer).toString('utf8');
    } catch {
      isBroken = true;
    }
  } catch {
    return { outcome: 'failed', status };
  }
  if (status !== 200) return { outcome: 'failed', status };
  return { outcome: stream ? judgeStream(text) : judgeJson(text, isBroken), status };
}

function judgeJson(text: string, isBroken: boolean): Outcome {
  if (isBroken) return 'failed';
  try {
    const body = JSON.parse(text) as { choices?: { message?: { content?: unknown } }[] };
    const content = body.choices?.[0]?.message?.content;
    return typeof content === 'string' && content.length > 0 ? 'ok' : 'failed';
  } catch {
    return 'failed';
  }
}

function judgeStream(text: string): Outcome {
  let sawDone = false;
  let sawError = false;
  let content = '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      sawDone = true;
      continue;
    }
    try {
      const event = JSON.parse(data) as { error?: unknown; choices?: { delta?: { content?: string } }[] };
      if (event.error !== undefined && event.error !== null) sawError = true;
      content += event.choices?.[0]?.delta?.content ?? '';
    } catch {
      sawError = true;
    }
  }
  if (sawError) return content.length > 0 ? 'cut-reported' : 'failed';
  if (!sawDone) return 'truncated';
  return content.length > 0 ? 'ok' : 'failed';
}

/** The naive client: request i goes to provider i mod n; any failure is retried once on the next provider. */
export function naiveClient(providers: Target[], timeoutMs: number) {
  return async (index: number, stream: boolean): Promise<Attempt & { calls: number }> => {
    const body = chatBody(index, stream);
    const first = await send(providers[index % providers.length]!, body, stream, timeoutMs);
    if (first.outcome === 'ok' || first.outcome === 'truncated') return { ...first, calls: 1 };
    const second = await send(providers[(index + 1) % providers.length]!, body, stream, timeoutMs);
    return { ...second, calls: 2 };
  };
}

/** Fires `total` requests at `rate` per second without waiting for answers (open loop), odd ones streaming. */
export async function runLoad(
  total: number,
  rate: number,
  run: (index: number, stream: boolean) => Promise<Attempt>,
): Promise<LoadReport> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const counts: Record<Outcome, number> = { ok: 0, failed: 0, truncated: 0, 'cut-reported': 0 };
  await openLoop(total, rate, async (index) => {
    const sentAt = performance.now();
    const attempt = await run(index, index % 2 === 1);
    latencies.push(performance.now() - sentAt);
    counts[attempt.outcome] += 1;
    statuses[String(attempt.status)] = (statuses[String(attempt.status)] ?? 0) + 1;
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(latencies, p) || 0);
  return {
    requests: total,
    ok: counts.ok,
    failed: counts.failed,
    truncated: counts.truncated,
    cutReported: counts['cut-reported'],
    p50Ms: at(50),
    p99Ms: at(99),
    statuses,
  };
}
