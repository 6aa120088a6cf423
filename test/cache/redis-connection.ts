// Connects the Redis tests to 127.0.0.1:6379: undefined (skip) when unreachable, a failure on CI.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export async function connectRedis(): Promise<Redis | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    if (process.env.CI === 'true') throw new Error(`Redis at 127.0.0.1:6379 is required on CI: ${(error as Error).message}`);
    console.warn('Skipping Redis cache tests: no Redis at 127.0.0.1:6379');
    return undefined;
  }
}

/** A key prefix of its own for every test run, so parallel runs never see each other's keys. */
export const runPrefix = () => `freeway-test:cache:${randomUUID()}:`;

export { removePrefix as deletePrefix } from '../support/redis-prefix.js';
