/**
 * One upstream SSE answer as an async iterable of chat chunks, pulled from the socket only as fast
 * as the consumer reads. It holds everything until the first content chunk (`waitForContent`), so
 * a 200 whose first event is an error still fails over; after that a cut, an error event or a
 * deadline makes iteration throw. It never ends silently on a broken stream. Past the first content,
 * `batches()` hands plain content deltas over unparsed (core/unparsed-chunk.ts).
 */
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import { rememberJsonText } from '../core/parsed-json-text.js';
import { ChunkTemplate, parsedChunk, type StreamChunk } from '../core/unparsed-chunk.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { isContentChunk, type ChatCompletionChunk, type Usage } from './chat-types.js';
import { isRecord, type RawHeaders } from './signal-input.js';
import { statusOfErrorBody, type ResponseBody, type UpstreamCall } from './upstream-call.js';
import type { UpstreamStream } from './upstream-types.js';

export interface SseChunkStreamInit {
  call: UpstreamCall;
  body: ResponseBody;
  status: number;
  headers: Record<string, string>;
  rawHeaders: RawHeaders;
  signal: RateLimitSignal;
  clientWantsUsage: boolean;
}

export class SseChunkStream implements UpstreamStream, AsyncIterator<ChatCompletionChunk> {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly signal: RateLimitSignal;
  readonly startedAt: number;
  readonly clientWantsUsage: boolean;
  firstByteMs = 0;

  private readonly call: UpstreamCall;
  private readonly body: ResponseBody;
  private readonly rawHeaders: RawHeaders;
  private readonly reader: AsyncIterator<Buffer>;
  /** Keeps a UTF-8 character split across two socket reads whole (cheaper per stream than a TextDecoder). */
  private readonly decoder = new StringDecoder('utf8');
  private isFirstText = true;
  private readonly parser: EventSourceParser;
  private queue: StreamChunk[] = [];
  private head = 0;
  private lastUsage: Usage | undefined;
  private pendingError: Error | undefined;
  private sawDone = false;
  private isContentSeen = false;
  /** The last plain content delta parsed: later chunks that match it are relayed unparsed. */
  private template: ChunkTemplate | undefined;
  private isBodyEnded = false;
  private isClosed = false;

  constructor(init: SseChunkStreamInit) {
    this.call = init.call;
    this.body = init.body;
    this.status = init.status;
    this.headers = init.headers;
    this.rawHeaders = init.rawHeaders;
    this.signal = init.signal;
    this.clientWantsUsage = init.clientWantsUsage;
    this.startedAt = init.call.startedAt;
    this.reader = (init.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.parser = createParser({ onEvent: (event) => this.onEvent(event) });
  }

  /** Reads until the first content chunk is buffered; throws the failure if the stream errors or ends first. */
  async waitForContent(): Promise<void> {
    try {
      for (;;) {
        if (this.isContentSeen) return;
        if (this.pendingError) throw this.pendingError;
        if (this.sawDone) throw this.call.protocolFailure('Upstream stream finished without any content');
        await this.pull();
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    return this;
  }

  async next(): Promise<IteratorResult<ChatCompletionChunk>> {
    if (this.head === this.queue.length && !(await this.fill())) return { done: true, value: undefined };
    const chunk = parsedChunk(this.queue[this.head] as StreamChunk) as ChatCompletionChunk;
    this.head++;
    // Compact now and then: the queue only grows while content is being waited for.
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    return { done: false, value: chunk };
  }

  /**
   * The same chunks a socket read at a time: everything parsed from one read arrives as one array,
   * so each layer above pays its promise hop once per read instead of once per chunk.
   */
  batches(): AsyncIterableIterator<StreamChunk[]> {
    const batches: AsyncIterableIterator<StreamChunk[]> = {
      next: () => this.nextBatch(),
      return: () => {
        this.cancel();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]: () => batches,
    };
    return batches;
  }

  private async nextBatch(): Promise<IteratorResult<StreamChunk[]>> {
    if (this.head === this.queue.length && !(await this.fill())) return { done: true, value: undefined };
    const batch = this.head === 0 ? this.queue : this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return { done: false, value: batch };
  }

  /** Reads until a chunk is queued (true) or the stream has ended well (false); throws its failure. */
  private async fill(): Promise<boolean> {
    for (;;) {
      if (this.head < this.queue.length) return true;
      if (this.pendingError) {
        this.close();
        throw this.pendingError;
      }
      if (this.isClosed || (this.sawDone && this.isBodyEnded)) {
        this.close();
        return false;
      }
      try {
        await this.pull();
      } catch (error) {
        this.close();
        throw error;
      }
    }
  }

  /** `break` out of a for-await: the rest of the stream is not wanted. */
  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.cancel();
    return { done: true, value: undefined };
  }

  usage(): Usage | undefined {
    return this.lastUsage;
  }

  cancel(): void {
    this.queue.length = this.head = 0;
    this.close();
  }

  /** Reads one piece of the body into the parser. */
  private async pull(): Promise<void> {
    let step: IteratorResult<Buffer>;
    try {
      step = await this.reader.next();
    } catch (error) {
      throw this.call.fail(error);
    }
    if (step.done) {
      this.isBodyEnded = true;
      const rest = this.decoder.end();
      if (rest) this.feed(rest);
      this.parser.reset({ consume: true });
      if (!this.sawDone && !this.pendingError) throw this.call.protocolFailure('Upstream stream ended before [DONE]');
      return;
    }
    this.call.touch();
    this.feed(this.decoder.write(step.value));
  }

  private feed(text: string): void {
    if (this.isFirstText && text) {
      this.isFirstText = false;
      // A byte-order mark may open the stream (TextDecoder's rule): it is not part of the first field.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.parser.feed(text);
  }

  private onEvent(event: EventSourceMessage): void {
    if (this.sawDone || this.pendingError) return;
    const data = event.data;
    if (data === '[DONE]') {
      this.sawDone = true;
      return;
    }
    const unparsed = this.template?.match(data);
    if (unparsed) {
      this.queue.push(unparsed);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.pendingError = this.call.protocolFailure('Upstream stream sent an event that is not JSON');
      return;
    }
    if (!isRecord(parsed)) {
      this.pendingError = this.call.protocolFailure('Upstream stream sent an event that is not an object');
      return;
    }
    if (parsed['error'] !== undefined && parsed['error'] !== null) {
      this.pendingError = this.call.httpFailure(statusOfErrorBody(parsed), data, this.rawHeaders);
      return;
    }
    // Text spanning lines is not kept: the SSE writer sends each chunk as one `data:` line.
    if (!Array.isArray(parsed['choices'])) parsed['choices'] = [];
    else if (!data.includes('\n') && !data.includes('\r')) rememberJsonText(parsed, data);
    const chunk = parsed as ChatCompletionChunk;
    if (chunk.choices.some((choice) => choice.finish_reason === 'error')) {
      // OpenRouter ends a stream that failed mid-way with finish_reason "error" and no error object.
      this.pendingError = this.call.httpFailure(502, data, this.rawHeaders);
      return;
    }
    if (isRecord(chunk.usage)) this.lastUsage = chunk.usage;
    if (!this.isContentSeen) this.isContentSeen = isContentChunk(chunk);
    // Only once content flows: until then waitForContent reads every chunk.
    if (this.isContentSeen) this.template = ChunkTemplate.from(data, chunk) ?? this.template;
    this.queue.push(chunk);
  }

  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.call.release();
    if (!this.isBodyEnded) {
      this.call.abort();
      this.body.destroy();
    }
  }
}
