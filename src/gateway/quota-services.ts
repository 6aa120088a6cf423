/**
 * Assembles the gateway's quota side from config: the store (Redis when `state.redis` is set, with
 * local limits while it is unreachable), the ledger with every deployment's buckets declared up
 * front, the admission queue, adaptive concurrency for providers that publish no limits, and the
 * quota gauges scraped by /metrics. It decides no admission itself: dispatch and reserve-first do.
 */
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import {
  createAdmissionQueue,
  createConcurrencyLimiter,
  createMemoryQuotaStore,
  createQuotaLedger,
  createRedisQuotaStore,
  type AdmissionQueue,
  type ConcurrencyLimiter,
  type QuotaLedger,
  type QuotaStore,
} from '../quota/index.js';
import { bucketsFor } from './buckets.js';
import { registerQuotaMetrics } from './quota-metrics.js';

/**
 * Every key of the quota store starts with this. Several gateways share limits exactly when they
 * share Redis and this prefix; a further per-deployment prefix goes in the URL
 * (`redis://host:6379?keyPrefix=team-a:`), which ioredis applies to every key it sends.
 */
export const QUOTA_KEY_PREFIX = 'freeway:quota:';

/** Request set-up and network jitter on the way to a provider, with room to spare. */
const DEFAULT_DELIVERY_GUARD_MS = 250;
/** How long a refusal is remembered; refunds here or on another gateway (pub/sub) forget it at once. */
const REFUSAL_MEMO_MS = 1000;
/** Longest an unanswered call holds a request limit's refill (see QuotaLedgerOptions.refillHoldMs): answers end holds far sooner. */
const REFILL_HOLD_MS = 30_000;

export interface QuotaServicesOptions {
  deployments: readonly Deployment[];
  redis: Redis | undefined;
  clock: Clock;
  log: (line: string) => void;
  /** Counts one outage of the shared store (freeway_store_fallback_total). */
  onStoreFallback: () => void;
  registry: Registry;
  /** Ms a call may take from reservation to the provider; see QuotaLedgerOptions.deliveryGuardMs. */
  deliveryGuardMs: number | undefined;
  /** config quota.interactiveReserve: the share of each limit `low` priority leaves free. */
  interactiveReserve?: number;
}

export interface QuotaServices {
  store: QuotaStore;
  ledger: QuotaLedger;
  queue: AdmissionQueue;
  concurrencyFor: (deployment: Deployment) => ConcurrencyLimiter | undefined;
}

export function createQuotaServices(options: QuotaServicesOptions): QuotaServices {
  const { redis, clock, log } = options;
  const store = redis
    ? createRedisQuotaStore({
        redis,
        prefix: QUOTA_KEY_PREFIX,
        clock,
        onFallback: (reason) => {
          log(`warning: quota store unreachable, serving on local limits until it returns: ${reason}`);
          options.onStoreFallback();
        },
        onRecover: () => log('quota store reachable again: limits are shared through Redis once more'),
      })
    : createMemoryQuotaStore();
  const queue = createAdmissionQueue({ clock });
  const ledger = createQuotaLedger({
    store,
    clock,
    deliveryGuardMs: options.deliveryGuardMs ?? DEFAULT_DELIVERY_GUARD_MS,
    refusalMemoMs: REFUSAL_MEMO_MS,
    refillHoldMs: REFILL_HOLD_MS,
    interactiveReserve: options.interactiveReserve ?? 0,
    // A refund by another gateway (or batch worker) on the same Redis wakes the requests waiting here.
    onCapacityReturned: () => queue.notify(),
  });
  // Buckets show in state and metrics from the start, not only after their first request.
  for (const deployment of options.deployments) ledger.declare(bucketsFor(deployment));

  const limiters = new Map<string, ConcurrencyLimiter>();
  const concurrencyFor = (deployment: Deployment): ConcurrencyLimiter | undefined => {
    if (deployment.dialect !== 'none') return undefined;
    let limiter = limiters.get(deployment.scopeKey);
    if (!limiter) limiters.set(deployment.scopeKey, (limiter = createConcurrencyLimiter({ clock })));
    return limiter;
  };

  registerQuotaMetrics(options.registry, { ledger, limiters });
  return { store, ledger, queue, concurrencyFor };
}

/**
 * Waits (briefly) for a fresh Redis connection, so the first requests share limits instead of
 * starting on the local fallback. Never throws: a Redis that does not come up is an outage the
 * store already handles.
 */
export async function awaitRedisReady(redis: Redis | undefined, timeoutMs = 2000): Promise<void> {
  if (!redis || redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      redis?.off('ready', done);
      resolve();
    }
    redis.once('ready', done);
  });
}
