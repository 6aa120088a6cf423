/**
 * Telemetry: Prometheus metrics on a private registry and a structured event log. It records what
 * other modules report; it never decides outcomes, and never labels or logs a secret.
 *
 *   createMetrics(options?): Metrics      requestCompleted, upstreamCall, tokensUsed, quotaRemaining, quotaParked,
 *                                         queueDepth, breakerState, cacheEvent, retry, storeFallback; render(), contentType
 *   createEventLog(logger, options?): EventLog   info|warn|error(event, fields)
 */
export {
  createMetrics,
  type BreakerState,
  type CacheEvent,
  type CacheTier,
  type Metrics,
  type MetricsOptions,
  type Priority,
} from './metrics.js';
export { createEventLog, type EventFields, type EventLog, type EventLogger } from './event-log.js';
export { OVERFLOW_LABEL } from './bounded-labels.js';
