import { describe, expect, it } from 'vitest';
import { createRequestLog } from '../../src/dashboard/request-log.js';
import { FreewayError } from '../../src/core/errors.js';
import type { Gateway } from '../../src/gateway/types.js';

/** A gateway that answers every chat at once and explains a route by echoing the model asked. */
const answering: Gateway = {
  chat: async () => ({ kind: 'json', meta: { provider: 'p', upstreamModel: 'm', attempts: 1, cache: 'miss', route: 'r' }, body: {} }),
  embeddings: async () => ({ kind: 'json', meta: { provider: 'p', upstreamModel: 'e', attempts: 1, cache: 'miss', route: 'r' }, body: {} }),
  listModels: () => ({}),
  explainRoute: (body) => ({ object: 'freeway.route', model: (body as { model: string }).model }),
  state: async () => ({}),
  renderMetrics: async () => ({ contentType: 'text/plain', text: '' }),
  close: async () => {},
};

const context = (requestId: string) => ({ requestId, priority: 'normal' as const, maxWaitMs: 0, signal: new AbortController().signal });

describe('the request log', () => {
  it('keeps a short body to explain its route, but not a long document', async () => {
    const log = createRequestLog(answering);
    await log.gateway.chat({ model: 'auto', messages: [{ role: 'user', content: 'short question' }] }, context('short'));
    const document = 'a paragraph of a long report. '.repeat(20_000);
    await log.gateway.chat({ model: 'auto', messages: [{ role: 'user', content: [{ type: 'text', text: document }] }] }, context('long'));

    expect(log.explain('short')?.explanation).toEqual({ object: 'freeway.route', model: 'auto' });
    const long = log.explain('long');
    expect(long?.request.outcome).toBe('ok');
    expect(long?.explanation).toBeNull();
    expect(long?.note).toMatch(/under 256 KiB of message text/);
  });

  it('keeps the newest 100 requests, newest first, and the bodies of the newest 20 chat requests', async () => {
    const log = createRequestLog(answering);
    for (let i = 0; i < 130; i++) {
      const body = { model: `m${i}`, messages: [{ role: 'user', content: 'q' }], input: 'x' };
      if (i % 2 === 0) await log.gateway.chat(body, context(`r${i}`));
      else await log.gateway.embeddings(body, context(`r${i}`));
    }
    const recent = log.recent();
    expect(recent.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => `r${129 - i}`));
    expect((await log.gateway.state())['recentRequests']).toEqual(recent.slice(0, 50));
    // Chat requests are the even ones: the newest 20 of them reach back to r90.
    expect(log.explain('r90')?.explanation).toEqual({ object: 'freeway.route', model: 'm90' });
    expect(log.explain('r88')?.explanation).toBeNull();
    expect(log.explain('r29')).toBeUndefined();
  });

  it('records a stream once it ends: ok, the error that broke it, or client_closed when the reader left', async () => {
    const batches = async function* (fail: boolean) {
      yield [{ n: 1 }];
      yield [{ n: 2 }];
      if (fail) throw new FreewayError('upstream_stream_error', 'broke off');
    };
    const streaming = (fail: boolean): Gateway => ({
      ...answering,
      chat: async () => ({ kind: 'stream', meta: { provider: 'p', upstreamModel: 'm', attempts: 1, cache: 'miss', route: 'r' }, chunks: batches(fail) }),
    });
    const read = async (gateway: Gateway, id: string, stopAfter = Infinity) => {
      const result = await gateway.chat({ model: 'auto', messages: [] }, context(id));
      if (result.kind !== 'stream') throw new Error('expected a stream');
      const seen: unknown[] = [];
      try {
        for await (const batch of result.chunks) {
          seen.push(...batch);
          if (seen.length >= stopAfter) break;
        }
      } catch {
        // the broken stream's error reaches the reader too
      }
      return seen;
    };
    const ok = createRequestLog(streaming(false));
    expect(await read(ok.gateway, 'whole')).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await read(ok.gateway, 'left', 1)).toEqual([{ n: 1 }]);
    const broken = createRequestLog(streaming(true));
    expect(await read(broken.gateway, 'broken')).toEqual([{ n: 1 }, { n: 2 }]);

    expect(ok.recent().map((r) => [r.id, r.outcome])).toEqual([
      ['left', 'client_closed'],
      ['whole', 'ok'],
    ]);
    expect(broken.recent()[0]).toMatchObject({ id: 'broken', outcome: 'upstream_stream_error', error: 'broke off', stream: false });
  });

  it('keeps a bounded sample of latencies per provider between two drains', async () => {
    const log = createRequestLog(answering);
    for (let i = 0; i < 1000; i++) await log.gateway.chat({ model: 'auto', messages: [{ role: 'user', content: `q${i}` }] }, context(`r${i}`));
    const tally = log.drain();
    expect(tally.outcomes['ok']).toBe(1000);
    expect(tally.latencies['p']).toHaveLength(256);
    expect(log.drain().latencies).toEqual({});
  });
});
