/**
 * Redis for tests: probes 127.0.0.1:6379 once, hands out unique key prefixes, and decides
 * whether Redis tests run, skip with a message, or fail (CI=true demands Redis).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = 'redis://127.0.0.1:6379';

async function probe(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const isRedisUp = await probe();
export const isRedisRequired = process.env.CI === 'true';

if (!isRedisUp && !isRedisRequired) {
  console.warn('Redis is not reachable at 127.0.0.1:6379: skipping Redis quota tests (set CI=true to make this a failure).');
}

export const uniquePrefix = (label: string): string => `freeway-test:${label}:${randomUUID()}:`;

export function connect(): Redis {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

export { removePrefix } from '../support/redis-prefix.js';
