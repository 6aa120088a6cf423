/**
 * `freeway worker` as a library: drains the shared batch queue on `state.redis` through a gateway
 * in this process (whose quota ledger is the same Redis one every instance uses). Stopping hands
 * back the lines it holds, unsettled, for another process. It never serves HTTP.
 */
import type { FreewayConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Gateway } from '../gateway/types.js';
import { BatchEngine } from './batch-engine.js';
import { RedisBatchStore } from './redis-batch-store.js';

export interface RunningWorker {
  engine: BatchEngine;
  /** Hands back in-flight lines and closes the queue connection (not the gateway). */
  stop(): Promise<void>;
}

export async function startWorker(options: { config: FreewayConfig; gateway: Gateway; clock: Clock; concurrency?: number; log?: (line: string) => void }): Promise<RunningWorker> {
  const { config } = options;
  if (!config.state.redis) throw new Error('freeway worker needs state.redis in the config: workers share the batch queue on that Redis');
  const store = new RedisBatchStore(config.state.redis);
  await store.ready();
  const engine = new BatchEngine({
    store,
    gateway: options.gateway,
    clock: options.clock,
    concurrency: options.concurrency ?? config.batch.concurrency,
    leaseMs: config.batch.leaseMs,
    ...(options.log ? { log: options.log } : {}),
  });
  engine.start();
  return {
    engine,
    stop: async () => {
      await engine.stop();
      await store.close();
    },
  };
}
