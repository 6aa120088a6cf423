/**
 * The floor for any Node proxy: a bare node:http server that forwards each request to one
 * upstream over an undici keep-alive pool and pipes the answer back, with no logic at all.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

export async function startPassthroughProxy(upstreamOrigin: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new Pool(upstreamOrigin, { connections: 128 });
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      pool
        .request({
          path: request.url ?? '/',
          method: request.method as 'POST',
          headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
          body: Buffer.concat(chunks),
        })
        .then(async (upstream) => {
          response.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') });
          await pipeline(upstream.body, response);
        })
        .catch(() => {
          if (!response.headersSent) response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
