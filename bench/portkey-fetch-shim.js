// Preloaded into Portkey's process by bench/overhead.ts (node --import). Portkey's gateway 1.15 with
// @hono/node-server newer than 1.14.2 fails every streaming request with "TypeError: immutable": it
// appends x-portkey-* headers to the Headers of fetch's own Response, which the fetch spec makes
// immutable (Portkey-AI/gateway issues 1389 and 1550). Giving each upstream STREAM a copy built by
// the Response constructor (mutable headers) restores the behaviour of a working install, so the
// benchmark measures Portkey streaming instead of its 500s. JSON answers are passed through as they
// are: they work without the copy, and copying them would charge Portkey for work it does not do.
const { Headers, Response } = globalThis;
const upstreamFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await upstreamFetch(...args);
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) return response;
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
};
