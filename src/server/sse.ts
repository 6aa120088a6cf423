/**
 * Writing a stream to the client as OpenAI-style server-sent events. A stream that ends well
 * ends with `data: [DONE]`; one that breaks ends with an error event in OpenAI's shape and no
 * [DONE], so a client can never mistake a cut answer for a complete one.
 */
import type { ServerResponse } from 'node:http';
import { toFreewayError } from '../core/errors.js';
import { chunkText, type StreamChunk } from '../core/unparsed-chunk.js';

/**
 * Gathers the events of one turn of the event loop into one string and writes it once, after the
 * turn's work (setImmediate): an upstream packet usually holds many events, and a write per event
 * cost a chunked-encoding frame and several iovecs each. `end` sends what is gathered with the last
 * bytes, so a short answer leaves in a single write. `write` returns a promise while the socket is
 * full, so a slow client applies back-pressure instead of growing memory (one packet's worth at most).
 */
class SseWriter {
  private pending = '';
  private flushing: NodeJS.Immediate | undefined;
  private drained: Promise<void> | undefined;

  constructor(private readonly response: ServerResponse) {}

  write(text: string): Promise<void> | undefined {
    this.pending += text;
    this.flushing ??= setImmediate(() => this.flush());
    return this.drained;
  }

  end(text = ''): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const rest = this.pending + text;
    this.pending = '';
    if (rest && !this.response.destroyed) this.response.end(rest);
    else this.response.end();
  }

  private flush(): void {
    this.flushing = undefined;
    const text = this.pending;
    this.pending = '';
    const { response } = this;
    if (response.destroyed || response.write(text)) return;
    this.drained = new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        this.drained = undefined;
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
  }
}

/** Writes chunks that arrive in batches (one per upstream read): each batch becomes one string. */
export async function pipeSse(response: ServerResponse, batches: AsyncIterable<readonly StreamChunk[]>): Promise<'done' | 'error' | 'closed'> {
  const writer = new SseWriter(response);
  let last = '';
  try {
    for await (const batch of batches) {
      if (response.destroyed) return 'closed';
      let text = '';
      // The upstream's own text when the chunk is unchanged but for its model (unparsed-chunk.ts).
      for (const chunk of batch) text += `data: ${chunkText(chunk)}\n\n`;
      await writer.write(text);
    }
    last = 'data: [DONE]\n\n';
    return 'done';
  } catch (error) {
    if (!response.destroyed) last = `data: ${JSON.stringify(toFreewayError(error).toBody())}\n\n`;
    return 'error';
  } finally {
    writer.end(last);
  }
}
