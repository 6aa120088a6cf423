/**
 * The shared quota store: counters and parking in Redis, changed only by the Lua scripts in
 * redis-quota-scripts.ts so every reservation across every limit and every instance is atomic.
 * When Redis is unreachable it serves from a local memory store (warning once per outage,
 * counting operations) and goes back to Redis as soon as the connection is ready again. It must
 * never throw a Redis error at its caller or leave a rejection unhandled.
 *
 * Instances learn of each other's refunds through one pub/sub channel per key space (the settle
 * script publishes; a second connection, opened only once someone watches, subscribes), so a
 * request waiting on one gateway is not left asleep while capacity another gave back goes unused.
 */
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { createMemoryQuotaStore } from './memory-quota-store.js';
import type { ParkOperation, ParkState, QuotaStore, SlotSpec, StoredSlot, StoreHealth } from './quota-store.js';
import { usedNow } from './quota-store.js';
import { applyScript, reserveScript, settleScript } from './redis-quota-scripts.js';
import { createReserveBatcher, decodeReserveBatch, encodeReserveBatch } from './redis-reserve-batch.js';

export interface RedisQuotaStoreOptions {
  /** An existing connection (the caller owns it), or a URL to open one (this store owns and closes it). */
  redis?: Redis;
  url?: string;
  /** Prepended to every key, e.g. `freeway:quota:`. */
  prefix: string;
  clock: Clock;
  /** Told once each time Redis becomes unreachable; operations continue on local limits. */
  onFallback?: (reason: string) => void;
  /** Told when Redis serves again after an outage. */
  onRecover?: () => void;
  /** Extra ioredis options when opening from `url`. */
  redisOptions?: RedisOptions;
}

interface ScriptedRedis extends Redis {
  quotaReserve(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
  quotaSettle(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
  quotaApply(numberOfKeys: number, ...args: (string | number)[]): Promise<number>;
}

const REDIS_BACKEND = 'redis';
const FALLBACK_BACKEND = 'redis-fallback';

export function createRedisQuotaStore(options: RedisQuotaStoreOptions): QuotaStore {
  const ownsConnection = !options.redis;
  const client = (options.redis ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // Fail fast while disconnected: the fallback answers instead of a queue that waits.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      ...options.redisOptions,
    })) as ScriptedRedis;
  if (ownsConnection) client.on('error', () => {}); // reported through onFallback; ioredis reconnects by itself
  client.defineCommand('quotaReserve', { lua: reserveScript });
  client.defineCommand('quotaSettle', { lua: settleScript });
  client.defineCommand('quotaApply', { lua: applyScript });

  const { prefix } = options;
  const fallback = createMemoryQuotaStore({ backend: FALLBACK_BACKEND });
  const health: StoreHealth = { backend: REDIS_BACKEND, isDegraded: false, fallbackOperations: 0, outages: 0 };
  const slotKey = (id: string) => `${prefix}s:${id}`;
  const parkKey = (key: string) => `${prefix}p:${key}`;
  const slotArgs = (slot: SlotSpec, last: number) => [slot.amount, slot.windowMs, slot.periodEnd, last];
  // Channels are not keys: ioredis's keyPrefix does not reach them, so the channel names it itself.
  const returnsChannel = `${client.options.keyPrefix ?? ''}${prefix}returned`;
  const instanceId = randomUUID();
  const watchers = new Set<(slotIds: readonly string[]) => void>();
  let subscriber: Redis | undefined;
  const subscribe = () => {
    if (subscriber) return;
    subscriber = client.duplicate({ keyPrefix: '', enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    subscriber.on('error', () => {}); // an outage is reported by the command connection; ioredis resubscribes on reconnect
    subscriber.on('message', (_channel: string, message: string) => {
      const [sender, ...slotIds] = message.split('\n');
      if (sender === instanceId) return;
      for (const watcher of watchers) watcher(slotIds);
    });
    subscriber.subscribe(returnsChannel).catch(() => {});
  };

  const reserveInBatch = createReserveBatcher(async (requests) => {
    const { keys, args } = encodeReserveBatch(requests, parkKey, slotKey);
    return decodeReserveBatch(await client.quotaReserve(keys.length, ...keys, ...args), requests);
  });

  const degrade = (reason: string) => {
    health.fallbackOperations += 1;
    if (health.isDegraded) return;
    health.isDegraded = true;
    health.outages += 1;
    options.onFallback?.(reason);
  };
  const recover = () => {
    if (!health.isDegraded) return;
    health.isDegraded = false;
    options.onRecover?.();
  };

  /** Runs on Redis when it is ready, else (or on any Redis error) on the local fallback. */
  async function withRedis<T>(onRedis: () => Promise<T>, onFallback: () => Promise<T>): Promise<T> {
    if (client.status !== 'ready') {
      degrade(`redis connection is ${client.status}`);
      return onFallback();
    }
    try {
      const result = await onRedis();
      recover();
      return result;
    } catch (error) {
      degrade(error instanceof Error ? error.message : String(error));
      return onFallback();
    }
  }

  return {
    reserve: (request) => withRedis(() => reserveInBatch(request), () => fallback.reserve(request)),

    settle: async (now, backend, adjustments) => {
      // A reservation is settled where it was made; one made on Redis waits out an outage uncorrected.
      if (backend !== REDIS_BACKEND) return fallback.settle(now, backend, adjustments);
      if (client.status !== 'ready') return degrade(`redis connection is ${client.status}`);
      try {
        const keys = adjustments.map((slot) => slotKey(slot.id));
        const refunded = adjustments.filter((slot) => slot.delta < 0).map((slot) => slot.id);
        const message = refunded.length > 0 ? [instanceId, ...refunded].join('\n') : '';
        await client.quotaSettle(keys.length, ...keys, now, message ? returnsChannel : '', message, ...adjustments.flatMap((slot) => slotArgs(slot, slot.delta)));
        recover();
      } catch (error) {
        degrade(error instanceof Error ? error.message : String(error));
      }
    },

    apply: (now, floors, parks) =>
      withRedis(
        async () => {
          const keys = [...floors.map((slot) => slotKey(slot.id)), ...parks.map((park) => parkKey(park.key))];
          const args = [now, floors.length, ...floors.flatMap((slot) => slotArgs(slot, slot.used)), ...parks.flatMap(parkArgs)];
          await client.quotaApply(keys.length, ...keys, ...args);
        },
        () => fallback.apply(now, floors, parks),
      ),

    read: (now, slots, parks) =>
      withRedis(
        async () => {
          const keys = [...slots.map((slot) => slotKey(slot.id)), ...parks.map(parkKey)];
          const values = keys.length > 0 ? await client.mget(...keys) : [];
          return {
            slots: slots.map((slot, index) => ({ used: usedNow(slot, parseSlot(values[index]), now) })),
            parks: parks.map((_key, index) => parsePark(values[slots.length + index])),
          };
        },
        () => fallback.read(now, slots, parks),
      ),

    health: () => ({ ...health }),

    watchReturns: (listener) => {
      watchers.add(listener);
      subscribe();
      return () => watchers.delete(listener);
    },

    close: async () => {
      subscriber?.disconnect();
      if (ownsConnection) client.disconnect();
    },
  };
}

/** "used,stamp", as the Lua scripts write it. */
function parseSlot(value: string | null | undefined): StoredSlot | undefined {
  if (!value) return undefined;
  const [used, stamp] = value.split(',');
  return { used: Number(used), stamp: Number(stamp) };
}

/** "until,level,reason", as the Lua scripts write it; the reason may itself hold commas. */
function parsePark(value: string | null | undefined): ParkState | undefined {
  if (!value) return undefined;
  const [until, level] = value.split(',', 2);
  const reason = value.slice(`${until},${level},`.length);
  return { until: Number(until), level: Number(level), reason };
}

function parkArgs(park: ParkOperation): (string | number)[] {
  switch (park.kind) {
    case 'until':
      return ['until', park.until, park.reason, 0, 0];
    case 'backoff':
      return ['backoff', 0, park.reason, park.baseMs, park.maxMs];
    case 'success':
      return ['success', 0, '', 0, 0];
  }
}
