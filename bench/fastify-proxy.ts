/**
 * A second floor, closer to Freeway's own shape: Fastify (which Freeway's server uses) parsing the
 * JSON body, one undici keep-alive pool, and the answer read whole, parsed and sent back with a
 * content-length; streams are copied through as they come. No routing, quota, cache or metrics:
 * what Freeway costs above this is the product's own work per request.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';

export async function startFastifyProxy(upstreamOrigin: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new Pool(upstreamOrigin, { connections: 128 });
  const app = Fastify();
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = request.body as { stream?: boolean };
    const upstream = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
      body: JSON.stringify(body),
    });
    if (body.stream !== true) {
      const text = await upstream.body.text();
      JSON.parse(text); // Freeway reads every answer; so does this floor.
      return reply.status(upstream.statusCode).type('application/json; charset=utf-8').send(text);
    }
    reply.hijack();
    reply.raw.writeHead(upstream.statusCode, { 'content-type': 'text/event-stream; charset=utf-8' });
    for await (const chunk of upstream.body) reply.raw.write(chunk);
    reply.raw.end();
  });
  const url = await app.listen({ port, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await app.close();
      await pool.close();
    },
  };
}

// Run as a script: tsx bench/fastify-proxy.ts <upstream origin> <port>
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const [origin, port] = process.argv.slice(2);
  if (!origin || !port) throw new Error('usage: fastify-proxy.ts <upstream origin> <port>');
  await startFastifyProxy(origin, Number(port));
}
