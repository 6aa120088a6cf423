/**
 * The upstream client's public contract: what the gateway calls and what it gets back. Failures are
 * thrown as UpstreamFailureError (src/core/upstream-failure.ts); a client abort rethrows the
 * caller's abort reason, since that is not the provider's fault.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import type { StreamChunk } from '../core/unparsed-chunk.js';
import type { Dispatcher } from 'undici';
import type { ChatCompletionChunk, Usage } from './chat-types.js';

export interface UpstreamClientOptions {
  /** Where requests go; by default an undici Agent with one keep-alive Pool per origin. Not closed by `close()` when injected. */
  dispatcher?: Dispatcher;
  /** TCP+TLS connect deadline for the default Agent (ms); undici's own timer. */
  connectTimeoutMs?: number;
  clock?: Clock;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Until response headers (JSON calls) or the first content chunk (streams), in ms. */
  firstByteTimeoutMs?: number;
  /** Longest silence between body chunks once the answer has started, in ms. */
  idleTimeoutMs?: number;
  /** The whole call including the body or stream, in ms. */
  totalTimeoutMs?: number;
}

export interface GetJsonOptions extends CallOptions {
  headers?: Record<string, string>;
  /** The key the headers carry, so no error message can repeat it. */
  apiKey?: string | undefined;
}

/** A 2xx answer to a GET whose body parsed as JSON (of any shape: the caller validates it). */
export interface UpstreamDocument {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface UpstreamJson {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  signal: RateLimitSignal;
  /** Until response headers, in ms. */
  firstByteMs: number;
  totalMs: number;
}

export interface UpstreamStream extends AsyncIterable<ChatCompletionChunk> {
  status: number;
  headers: Record<string, string>;
  signal: RateLimitSignal;
  /** Clock time when the call began (epoch ms). */
  startedAt: number;
  /** Until the first content chunk, in ms. */
  firstByteMs: number;
  /** Whether the client asked for `stream_options.include_usage`; upstream always gets it, so strip the usage chunk when false. */
  clientWantsUsage: boolean;
  /**
   * The chunks grouped by socket read, one array per read: the cheap way to relay. Plain content deltas
   * after the first content come unparsed (core/unparsed-chunk.ts). Iterate one way only.
   */
  batches(): AsyncIterableIterator<StreamChunk[]>;
  /** Usage from the include_usage chunk, once it has arrived. */
  usage(): Usage | undefined;
  /** Aborts the upstream request; iteration then ends quietly. */
  cancel(): void;
}

export interface UpstreamClient {
  chat(deployment: Deployment, body: Record<string, unknown>, options: CallOptions): Promise<UpstreamJson>;
  chatStream(deployment: Deployment, body: Record<string, unknown>, options: CallOptions): Promise<UpstreamStream>;
  embeddings(deployment: Deployment, body: Record<string, unknown>, options: CallOptions): Promise<UpstreamJson>;
  listModels(baseUrl: string, apiKey: string | undefined, options: CallOptions): Promise<unknown>;
  /** GET `url` and parse the answer as JSON; non-2xx answers throw like any call, with Retry-After in the signal. */
  getJson(url: string, options: GetJsonOptions): Promise<UpstreamDocument>;
  close(): Promise<void>;
}
