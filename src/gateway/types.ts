/**
 * The gateway's face toward the server: what a request brings (context) and what comes back
 * (a JSON body or a stream of chunks, plus the facts the server turns into headers).
 */
import type { StreamChunk } from '../core/unparsed-chunk.js';

export type Priority = 'high' | 'normal' | 'low';

export interface RequestContext {
  requestId: string;
  priority: Priority;
  /** How long the request may wait for quota, in ms. */
  maxWaitMs: number;
  /** The client's Cache-Control header, if any. */
  cacheControl?: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** x-freeway-long-input: what to do with a prompt longer than every window (default refuse). */
  longInput?: 'refuse' | 'truncate' | 'map-reduce';
}

export interface ResponseMeta {
  provider: string;
  /** The upstream model id that answered. */
  upstreamModel: string;
  /** Upstream calls made for this request (0 for a cache hit). */
  attempts: number;
  cache: 'hit' | 'miss' | 'bypass';
  /** Short routing explanation for x-freeway-route. */
  route: string;
  /** What shaping changed in the request, for x-freeway-shaped (`logprobs=dropped; temperature=2->1`). */
  shaped?: string;
}

export type JsonBody = Record<string, unknown>;

export type GatewayResult =
  | { kind: 'json'; meta: ResponseMeta; body: JsonBody }
  /**
   * Resolves only once the first content chunk is in hand: nothing has been sent before that.
   * `chunks` come in batches, one array per upstream read, so each layer hops once per read.
   */
  | { kind: 'stream'; meta: ResponseMeta; chunks: AsyncIterable<readonly StreamChunk[]> };

export interface Gateway {
  chat(body: unknown, context: RequestContext): Promise<GatewayResult>;
  embeddings(body: unknown, context: RequestContext): Promise<GatewayResult>;
  /** GET /v1/models, in OpenAI's list shape. */
  listModels(): JsonBody;
  /** The whole routing decision for a chat body, without calling anything. */
  explainRoute(body: unknown): JsonBody;
  /** GET /v1/freeway/state. */
  state(): Promise<JsonBody>;
  renderMetrics(): Promise<{ contentType: string; text: string }>;
  close(): Promise<void>;
}
