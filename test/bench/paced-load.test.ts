import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAtRate, openLoop } from '../../bench/paced-load.js';

describe('openLoop', () => {
  it('sends every request without waiting for the ones before it to answer', async () => {
    // No call settles until the last one has been sent: a closed loop would never get there.
    let releaseAll!: () => void;
    const allSent = new Promise<void>((resolve) => (releaseAll = resolve));
    const sent: number[] = [];
    await openLoop(5, 1000, async (index) => {
      sent.push(index);
      if (sent.length === 5) releaseAll();
      await allSent;
    });
    expect(sent).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('loadAtRate', () => {
  let server: Server;
  let url: string;
  let received = 0;
  beforeAll(async () => {
    // Every other request fails: only the 2xx answers count as answered.
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        received += 1;
        response.writeHead(received % 2 === 0 ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends rate × duration requests and counts only the 2xx answers as answered', async () => {
    const result = await loadAtRate({ url, body: '{}', requestsPerSecond: 200, durationSeconds: 0.1 });
    expect(received).toBe(20);
    expect(result.non2xx).toBe(10);
    expect(result.errors).toBe(0);
    expect(result.okPerSecond).toBeCloseTo(result.requestsPerSecond / 2, 5);
    expect(result.p99Ms).toBeGreaterThan(0);
  });
});
