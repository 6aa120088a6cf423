import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, isRedisRequired, isRedisUp, removePrefix, uniquePrefix } from '../quota/redis-test-support.js';
import { chat, eventually, metrics, startQuotaStack, state, type QuotaStack } from './support.js';

const runs = isRedisUp || isRedisRequired;
const prefix = uniquePrefix('quota-gateway');

/** A TCP hop in front of Redis that a test can cut and restore, to make Redis unreachable while serving. */
async function startRedisHop(): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connectTcp(6379, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen();
  return { url: `redis://127.0.0.1:${port}?keyPrefix=${encodeURIComponent(prefix)}`, cut, restore: listen, close: cut };
}

describe.runIf(runs)('three gateways on one Redis', () => {
  let stack: QuotaStack;
  let hop: Awaited<ReturnType<typeof startRedisHop>>;
  beforeAll(async () => {
    hop = await startRedisHop();
    stack = await startQuotaStack({
      gateways: 3,
      timeScale: 30,
      providers: [
        { id: 'daily', dialect: 'openai', models: [{ id: 'd-model' }], limits: [{ requests: 12, per: 'day' }, { requests: 600, per: 'minute' }] },
        { id: 'steady', dialect: 'groq', scope: 'organization', models: [{ id: 's-model', limits: [{ requests: 6, per: 'minute' }, { requests: 1000, per: 'day' }, { tokens: 4000, per: 'minute' }] }] },
        { id: 'local', dialect: 'openai', models: [{ id: 'l-model' }], limits: [{ requests: 1000, per: 'minute' }] },
      ],
      overrides: { state: { redis: hop.url } },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await hop?.close();
    const admin = connect();
    await removePrefix(admin, prefix);
    admin.disconnect();
  });

  it('never together exceed a shared daily limit', async () => {
    const answers = await Promise.all(Array.from({ length: 36 }, (_, i) => chat(stack.gateways[i % 3]!.url, { model: 'd-model', maxWaitMs: 0 })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(12);
    expect(new Set(answers.filter((a) => a.status !== 200).map((a) => a.body.error?.code))).toEqual(new Set(['quota_exhausted']));
    expect((await stack.stats()).providers['daily']).toMatchObject({ accepted: 12, rejected: 0 });
    const store = (await state(stack.gateways[2]!.url))['store'] as { backend: string };
    expect(store.backend).toBe('redis');
  });

  it('never together exceed a shared refilling limit while all of them wait for it', async () => {
    const answers = await Promise.all(Array.from({ length: 18 }, (_, i) => chat(stack.gateways[i % 3]!.url, { model: 's-model', maxWaitMs: 600_000 })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 18 }, () => 200));
    expect((await stack.stats()).providers['steady']).toMatchObject({ accepted: 18, rejected: 0, violations: 0 });
  });

  it('serves on local limits with a warning and a metric while Redis is unreachable, and goes back when it returns', async () => {
    await hop.cut();
    const during = await Promise.all(stack.gateways.map((gateway) => chat(gateway.url, { model: 'l-model', maxWaitMs: 0 })));
    expect(during.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(stack.logs.some((line) => line.startsWith('warning: quota store unreachable'))).toBe(true);
    const text = await metrics(stack.url);
    expect(text).toMatch(/freeway_store_fallback_total\{store="redis"\} [1-9]/);
    expect(text).toMatch(/freeway_quota_store_degraded 1/);

    await hop.restore();
    await eventually(async () => {
      await chat(stack.url, { model: 'l-model', maxWaitMs: 0 });
      return !((await state(stack.url))['store'] as { isDegraded: boolean }).isDegraded;
    }, undefined, { what: 'the quota store reachable again' });
    expect(stack.logs.some((line) => line.startsWith('quota store reachable again'))).toBe(true);
    expect(await metrics(stack.url)).toMatch(/freeway_quota_store_degraded 0/);
  });
});

describe.skipIf(runs)('three gateways on one Redis', () => {
  it.skip('needs Redis at 127.0.0.1:6379 (set CI=true to make its absence a failure)', () => {});
});
