/**
 * What the dashboard knows about requests: a gateway wrapper that records each answered request
 * (model asked, provider and model chosen, route, attempts, cache, outcome, latency) into a
 * bounded ring, and counts outcomes per second for the time series. It sees only what the server
 * sees (the gateway's result or error); it never changes a result, and never keeps a secret:
 * error messages are already scrubbed by the gateway, bodies are held for the last few requests
 * only (to re-run their routing explanation on demand) and never sent back.
 */
import { FreewayError, isFreewayError } from '../core/errors.js';
import type { Gateway, GatewayResult, JsonBody, RequestContext } from '../gateway/types.js';

export interface RecentRequest {
  id: string;
  at: string;
  endpoint: 'chat' | 'embeddings';
  priority: string;
  /** The model the client asked for. */
  model: string;
  provider: string | null;
  upstreamModel: string | null;
  route: string | null;
  attempts: number;
  cache: string | null;
  stream: boolean;
  /** 'ok', 'cache_hit' or an error code. */
  outcome: string;
  error: string | null;
  latencyMs: number;
}

/** Counts gathered since the last drain, for one point of the time series. */
export interface RequestTally {
  outcomes: Record<string, number>;
  /** Latencies of answered, non-cached requests, per provider, in ms (a uniform sample of at most 256). */
  latencies: Record<string, number[]>;
  cacheHits: number;
  answered: number;
}

const RECENT = 100;
/** Bodies kept to explain a request on click: only the newest ones, to bound memory. */
const BODIES_KEPT = 20;
/** A body whose message text is longer than this is not kept: twenty long documents would hold hundreds of MB. */
const MAX_KEPT_TEXT = 256 * 1024;
const MAX_ERROR_TEXT = 300;

export interface RequestLog {
  /** The same gateway, recording every chat and embeddings request. */
  readonly gateway: Gateway;
  recent(): RecentRequest[];
  /** The routing explanation of a recent chat request, re-run now; undefined when not held. */
  explain(id: string): { request: RecentRequest; explanation: JsonBody | null; note: string } | undefined;
  drain(): RequestTally;
}

/** A ring entry: the time kept as a number, formatted only when someone reads the log. */
type Logged = Omit<RecentRequest, 'at'> & { startedAt: number };

const toRecent = ({ startedAt, ...entry }: Logged): RecentRequest => ({ ...entry, at: new Date(startedAt).toISOString() });

const emptyTally = (): RequestTally => ({ outcomes: {}, latencies: {}, cacheHits: 0, answered: 0 });

/** Latencies kept per provider per tally: a uniform sample, so percentiles stay cheap at any rate. */
const LATENCY_SAMPLES = 256;

/** Reservoir sampling: the `seen`-th value replaces a kept one with probability LATENCY_SAMPLES / seen. */
function keepSample(kept: number[], value: number, seen: number): void {
  if (kept.length < LATENCY_SAMPLES) kept.push(value);
  else {
    const slot = Math.floor(Math.random() * seen);
    if (slot < LATENCY_SAMPLES) kept[slot] = value;
  }
}

/** The newest `capacity` values, overwritten in place: a request costs one slot write, no shifting. */
class Ring<T> {
  private readonly slots: (T | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  push(value: T): void {
    this.slots[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Up to `limit` values, newest first. */
  newestFirst(limit = this.capacity): T[] {
    const values: T[] = [];
    for (let i = 1; i <= this.capacity && values.length < limit; i++) {
      const value = this.slots[(this.next - i + this.capacity) % this.capacity];
      if (value === undefined) break;
      values.push(value);
    }
    return values;
  }
}

export function createRequestLog(inner: Gateway, now: () => number = Date.now): RequestLog {
  const ring = new Ring<Logged>(RECENT);
  const bodies = new Ring<{ id: string; body: unknown }>(BODIES_KEPT);
  let tally = emptyTally();
  // Answered requests per provider since the last drain: what each latency sample is drawn from.
  const latenciesSeen = new Map<string, number>();

  const record = (entry: Logged, body: unknown): void => {
    ring.push(entry);
    if (entry.endpoint === 'chat' && messageText(body) <= MAX_KEPT_TEXT) bodies.push({ id: entry.id, body });
    tally.outcomes[entry.outcome] = (tally.outcomes[entry.outcome] ?? 0) + 1;
    if (entry.provider && entry.outcome === 'ok') {
      const seen = (latenciesSeen.get(entry.provider) ?? 0) + 1;
      latenciesSeen.set(entry.provider, seen);
      keepSample((tally.latencies[entry.provider] ??= []), entry.latencyMs, seen);
    }
    if (entry.outcome === 'cache_hit') tally.cacheHits += 1;
    if (entry.outcome === 'ok' || entry.outcome === 'cache_hit') tally.answered += 1;
  };

  const observe =
    (endpoint: RecentRequest['endpoint'], call: (body: unknown, context: RequestContext) => Promise<GatewayResult>) =>
    async (body: unknown, context: RequestContext): Promise<GatewayResult> => {
      const startedAt = now();
      // One object literal per entry, no spreads: this runs on every request.
      const entry = (meta: GatewayResult['meta'] | undefined, outcome: string, error: string | null, attempts: number): Logged => ({
        id: context.requestId,
        startedAt,
        endpoint,
        priority: context.priority,
        model: requestedModel(body),
        provider: meta?.provider ?? null,
        upstreamModel: meta?.upstreamModel ?? null,
        route: meta?.route ?? null,
        attempts,
        cache: meta?.cache ?? null,
        stream: (body as { stream?: unknown } | null)?.stream === true,
        outcome,
        error,
        latencyMs: now() - startedAt,
      });
      try {
        const result = await call(body, context);
        const { meta } = result;
        const outcome = meta.cache === 'hit' ? 'cache_hit' : 'ok';
        if (result.kind === 'json') {
          record(entry(meta, outcome, null, meta.attempts), body);
          return result;
        }
        // A stream's outcome is known when it ends: record then, and a broken stream as the error it was.
        const chunks = watchStream(result.chunks, (error) => {
          const failed = error !== undefined;
          record(entry(meta, failed ? errorCode(error) : outcome, failed ? errorText(error) : null, meta.attempts), body);
        });
        return { kind: 'stream', meta, chunks };
      } catch (error) {
        const attempts = isFreewayError(error) ? (error.attempts ?? 0) : 0;
        record(entry(undefined, errorCode(error), errorText(error), attempts), body);
        throw error;
      }
    };

  const gateway: Gateway = {
    ...inner,
    chat: observe('chat', (body, context) => inner.chat(body, context)),
    embeddings: observe('embeddings', (body, context) => inner.embeddings(body, context)),
    listModels: () => inner.listModels(),
    explainRoute: (body) => inner.explainRoute(body),
    state: async () => ({ ...(await inner.state()), recentRequests: ring.newestFirst(50).map(toRecent) }),
    renderMetrics: () => inner.renderMetrics(),
    close: () => inner.close(),
  };

  return {
    gateway,
    recent: () => ring.newestFirst().map(toRecent),
    explain(id) {
      const logged = ring.newestFirst().find((r) => r.id === id);
      if (!logged) return undefined;
      const request = toRecent(logged);
      const kept = bodies.newestFirst().find((b) => b.id === id);
      if (!kept) {
        const note =
          request.endpoint === 'chat'
            ? `Only the last ${BODIES_KEPT} chat requests, each under ${MAX_KEPT_TEXT / 1024} KiB of message text, keep what is needed to explain them.`
            : 'Embeddings have no routing explanation.';
        return { request, explanation: null, note };
      }
      try {
        return { request, explanation: inner.explainRoute(kept.body), note: 'The routing decision re-evaluated now, against the current quota and health.' };
      } catch (error) {
        return { request, explanation: null, note: errorText(error) };
      }
    },
    drain() {
      const drained = tally;
      tally = emptyTally();
      latenciesSeen.clear();
      return drained;
    },
  };
}

/** Characters of message text in a chat body (string contents and text parts), without serialising it. */
function messageText(body: unknown): number {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return 0;
  let total = 0;
  for (const message of messages as { content?: unknown }[]) {
    const content = message?.content;
    if (typeof content === 'string') total += content.length;
    else if (Array.isArray(content)) for (const part of content as { text?: unknown }[]) if (typeof part?.text === 'string') total += part.text.length;
  }
  return total;
}

function requestedModel(body: unknown): string {
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model.slice(0, 200) : '(none)';
}

const errorCode = (error: unknown): string => (isFreewayError(error) ? error.code : 'internal_error');
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR_TEXT);

/** Passes the batches through unchanged and reports once how the stream ended. */
async function* watchStream<T>(chunks: AsyncIterable<T>, ended: (error: unknown) => void): AsyncGenerator<T> {
  let reported = false;
  try {
    for await (const batch of chunks) yield batch;
    reported = true;
    ended(undefined);
  } catch (error) {
    reported = true;
    ended(error ?? new FreewayError('upstream_stream_error', 'The stream failed'));
    throw error;
  } finally {
    // The client left before the end: the gateway's stream was cancelled, not failed.
    if (!reported) ended(new FreewayError('client_closed', 'The client closed the connection'));
  }
}
