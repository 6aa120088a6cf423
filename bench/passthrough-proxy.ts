/**
 * The floor for any Node proxy: a bare node:http server that forwards each request to one
 * upstream over an undici keep-alive pool and pipes the answer back, with no logic at all.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

export async function startPassthroughProxy(upstreamOrigin: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
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
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}

// Run as a script: tsx bench/passthrough-proxy.ts <upstream origin> <port>
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const [origin, port] = process.argv.slice(2);
  if (!origin || !port) throw new Error('usage: passthrough-proxy.ts <upstream origin> <port>');
  await startPassthroughProxy(origin, Number(port));
}
