/**
 * Writing a stream to the client as OpenAI-style server-sent events. A stream that ends well
 * ends with `data: [DONE]`; one that breaks ends with an error event in OpenAI's shape and no
 * [DONE], so a client can never mistake a cut answer for a complete one.
 */
import type { ServerResponse } from 'node:http';
import { toFreewayError } from '../core/errors.js';
import type { JsonBody } from '../gateway/types.js';

/**
 * Writes one event. Events that arrive in the same tick (an upstream packet usually holds several)
 * are corked into one socket write. Resolves when the socket can take more, so a slow client applies
 * back-pressure instead of growing memory.
 */
function write(response: ServerResponse, text: string): Promise<void> | undefined {
  if (response.writableCorked === 0) {
    response.cork();
    process.nextTick(() => response.uncork());
  }
  if (response.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

export async function pipeSse(response: ServerResponse, chunks: AsyncIterable<JsonBody>): Promise<'done' | 'error' | 'closed'> {
  try {
    for await (const chunk of chunks) {
      if (response.destroyed) return 'closed';
      await write(response, `data: ${JSON.stringify(chunk)}\n\n`);
    }
    await write(response, 'data: [DONE]\n\n');
    return 'done';
  } catch (error) {
    if (!response.destroyed) await write(response, `data: ${JSON.stringify(toFreewayError(error).toBody())}\n\n`);
    return 'error';
  } finally {
    response.end();
  }
}
