/**
 * What is left of a refused request body, read and thrown away before the refusal is sent. A client
 * still writing an oversized body gets EPIPE, not our 413, when the socket closes under it; reading
 * the rest first lets every client (curl, undici, the openai package) see the answer. It never keeps
 * a byte, and it stops reading past `maxBytes`: beyond that the socket is closed anyway.
 */
import type { IncomingMessage } from 'node:http';

/** Past this many discarded bytes the client is abusive, not unlucky: stop reading. */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export function drainRequestBody(request: IncomingMessage, maxBytes = MAX_DRAIN_BYTES): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let discarded = 0;
    const finish = () => {
      request.off('data', onData);
      request.off('end', finish);
      request.off('close', finish);
      request.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > maxBytes) finish();
    };
    request.on('data', onData);
    request.once('end', finish);
    request.once('close', finish);
    request.once('error', finish);
    request.resume();
  });
}
