/**
 * One upstream request's lifetime: its abort handle (the client's signal and the deadlines both end it),
 * its deadlines, and the translation of whatever went wrong into an UpstreamFailureError. It is
 * the only place that decides "timeout or network or the client left", and it never lets a key
 * into an error message.
 */
import { EventEmitter } from 'node:events';
import type { Dialect } from '../core/deployment.js';
import { redactSecrets } from '../core/errors.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { UpstreamFailureError, type UpstreamFailure } from '../core/upstream-failure.js';
import type { Dispatcher } from 'undici';
import { CallDeadlines, hasDeadlines, type DeadlineScheduler } from './call-deadlines.js';
import { parseRateLimitSignal } from './parse-rate-limit-signal.js';
import { errorObject, type RawHeaders } from './signal-input.js';
import type { CallOptions } from './upstream-types.js';

/** Error bodies are kept for classification, not for display: enough for any provider's JSON error. */
export const MAX_ERROR_BODY_BYTES = 16 * 1024;

export type ResponseBody = Dispatcher.ResponseData['body'];

export interface CallTarget {
  /** Names the call in errors: a deployment id, never a key. */
  id: string;
  dialect: Dialect;
  apiKey: string | undefined;
}

export class UpstreamCall {
  readonly startedAt: number;
  /** What undici listens to: the caller's own signal when there are no deadlines, else our emitter. */
  readonly abortSignal: AbortSignal | EventEmitter | null = null;
  private readonly aborter: EventEmitter | undefined;
  private readonly deadlines: CallDeadlines | undefined;
  private readonly onClientAbort: (() => void) | undefined;
  private isAborted = false;

  constructor(
    readonly target: CallTarget,
    private readonly scheduler: DeadlineScheduler,
    private readonly options: CallOptions,
  ) {
    this.startedAt = scheduler.clock.now();
    const clientSignal = options.signal;
    if (clientSignal?.aborted) throw abortReason(clientSignal);
    if (!hasDeadlines(options)) {
      // The cheap path: undici listens to the caller's signal itself, and nothing else is allocated.
      this.abortSignal = clientSignal ?? null;
      return;
    }
    // An EventEmitter is what undici accepts besides AbortSignal, and far cheaper to make and fire.
    const aborter = new EventEmitter();
    this.aborter = aborter;
    this.abortSignal = aborter;
    this.deadlines = new CallDeadlines(scheduler, options, this.startedAt, () => this.abort());
    if (clientSignal) {
      this.onClientAbort = () => this.abort();
      clientSignal.addEventListener('abort', this.onClientAbort, { once: true });
    }
  }

  now(): number {
    return this.scheduler.clock.now();
  }

  touch(): void {
    this.deadlines?.touch();
  }

  startIdlePhase(): void {
    this.deadlines?.startIdlePhase();
  }

  /** Stops the deadlines and forgets the client's signal; call once the answer is fully read or abandoned. */
  release(): void {
    this.deadlines?.stop();
    if (this.onClientAbort) this.options.signal?.removeEventListener('abort', this.onClientAbort);
  }

  /** Aborts the request when it has an emitter of ours; otherwise the caller's signal or body.destroy() does it. */
  abort(): void {
    if (this.isAborted || !this.aborter) return;
    this.isAborted = true;
    this.aborter.emit('abort');
  }

  /** What to throw for `error`: a deadline, the client's own abort reason, or a network failure. */
  fail(error: unknown): Error {
    if (error instanceof UpstreamFailureError) return error;
    const expired = this.deadlines?.expired;
    if (expired) return this.failure({ kind: 'timeout', phase: expired });
    if (this.options.signal?.aborted) return abortReason(this.options.signal);
    return this.failure(networkFailure(error, this.target.apiKey));
  }

  failure(failure: UpstreamFailure): UpstreamFailureError {
    return new UpstreamFailureError(failure, this.target.id);
  }

  protocolFailure(message: string): UpstreamFailureError {
    return this.failure({ kind: 'protocol', message });
  }

  /** A non-2xx answer (or an error body under a 2xx): status, capped and redacted text, headers, signal. */
  httpFailure(status: number, bodyText: string, rawHeaders: RawHeaders): UpstreamFailureError {
    const text = redactSecrets(bodyText, this.target.apiKey ? [this.target.apiKey] : []);
    const signal: RateLimitSignal = parseRateLimitSignal(this.target.dialect, { status, headers: rawHeaders, bodyText: text }, this.scheduler.clock.now());
    return this.failure({ kind: 'http', status, bodyText: text, headers: flattenHeaders(rawHeaders), signal });
  }

  /**
   * Reads a body whole, moving the idle deadline per chunk. Stream events, not `for await`: an async
   * iterator over a one-chunk JSON answer costs more than the rest of reading it.
   */
  readText(body: ResponseBody, maxBytes = Infinity): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (error?: unknown) => {
        body.off('data', onData);
        body.off('end', onEnd);
        body.off('error', onError);
        body.off('close', onClose);
        if (error !== undefined) return reject(this.fail(error));
        const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve(size > maxBytes ? text.slice(0, maxBytes) : text);
      };
      const onData = (chunk: Buffer) => {
        this.startIdlePhase();
        this.touch();
        chunks.push(chunk);
        size += chunk.length;
        if (size >= maxBytes) {
          done();
          // undici reports the destroy as an abort error: swallowed, as the answer is already read.
          body.on('error', ignore);
          body.destroy();
        }
      };
      const onEnd = () => done();
      const onError = (error: unknown) => done(error);
      // Closed without an end or an error (aborted): the answer is cut short, as `for await` would say.
      const onClose = () => done(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
      body.on('data', onData);
      body.on('end', onEnd);
      body.on('error', onError);
      body.on('close', onClose);
    });
  }
}

const ignore = (): void => {};

/** HTTP status for an error object found in a body or stream event: its numeric code when it is one, else 502. */
export function statusOfErrorBody(body: unknown): number {
  const code = Number(errorObject(body)?.['code']);
  return Number.isInteger(code) && code >= 400 && code <= 599 ? code : 502;
}

/** undici's headers as one string per name; the same object when nothing repeats. */
export function flattenHeaders(headers: RawHeaders): Record<string, string> {
  for (const key in headers) {
    if (typeof headers[key] !== 'string') {
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return flat;
    }
  }
  return headers as Record<string, string>;
}

function networkFailure(error: unknown, apiKey: string | undefined): UpstreamFailure {
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', phase: 'connect' };
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { kind: 'timeout', phase: 'first-byte' };
  if (code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout', phase: 'idle' };
  const message = error instanceof Error ? error.message || code : String(error);
  return { kind: 'network', code, message: redactSecrets(message, apiKey ? [apiKey] : []) };
}

/** Node's or undici's code; happy-eyeballs failures arrive as an AggregateError whose parts hold it. */
function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UNKNOWN';
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  // undici wraps resets as UND_ERR_SOCKET; the socket's own code (ECONNRESET) says more.
  const inner = Array.isArray(errors) ? (errors[0] as unknown) : cause;
  const innerCode = inner === undefined ? undefined : errorCode(inner);
  if (innerCode && innerCode !== 'UNKNOWN') return innerCode;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
