/**
 * Quota: the ledger that reserves every limit a call draws on before the call is made, the
 * stores its counters live in, the admission queue where requests wait for capacity, and
 * adaptive concurrency for providers that publish no limits. Generic: it knows buckets and
 * limits, never providers or HTTP. The gateway maps deployments to buckets and signals to calls.
 *
 *   createQuotaLedger({ store, clock, backoff?, onSettle? }): QuotaLedger
 *     tryReserve({ buckets, tokens }) → { ok, reservation } | { ok: false, retryAt, blocking }
 *     settle(reservation, { tokens?, requestCharged? })   observe(buckets, signal)
 *     park(key, until, reason)   declare(buckets)   snapshot()
 *   createMemoryQuotaStore(): QuotaStore
 *   createRedisQuotaStore({ redis | url, prefix, clock, onFallback?, onRecover?, redisOptions? }): QuotaStore
 *   createAdmissionQueue({ clock, unknownRetryAfterMs? }): { admit(tryAdmit, { priority, deadline, signal }), notify(), depth() }
 *   createConcurrencyLimiter({ clock, initialLimit?, maxLimit?, backoffRatio?, onCapacity? }):
 *     { tryAcquire(), release(outcome?), recordDrop(code?), snapshot() }
 *   rateLimitHeaders({ retryAfterMs, limit?, name? }): Retry-After, RateLimit, RateLimit-Policy
 */
export { createQuotaLedger } from './quota-ledger.js';
export type {
  BlockingLimit,
  BucketState,
  LimitState,
  QuotaLedger,
  QuotaLedgerOptions,
  QuotaSnapshot,
  Reservation,
  ReserveRequest,
  ReserveResult,
  SettleOutcome,
} from './quota-ledger.js';
export type { BucketSpec } from './bucket-limits.js';
export type { BackoffPolicy } from './signal-sync.js';
export { createMemoryQuotaStore } from './memory-quota-store.js';
export { createRedisQuotaStore, type RedisQuotaStoreOptions } from './redis-quota-store.js';
export type { QuotaStore, StoreHealth } from './quota-store.js';
export { createAdmissionQueue, priorities } from './admission-queue.js';
export type { AdmissionQueue, AdmissionQueueOptions, AdmitAttempt, AdmitOptions, Priority } from './admission-queue.js';
export { createConcurrencyLimiter, isDropCode } from './concurrency-limiter.js';
export type { ConcurrencyLimiter, ConcurrencyLimiterOptions, ConcurrencySnapshot, ReleaseOutcome } from './concurrency-limiter.js';
export { rateLimitHeaders, type RateLimitHeaderInput } from './rate-limit-headers.js';
export { calendarWindow, type CalendarWindow } from '../core/calendar-window.js';
