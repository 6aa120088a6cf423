/**
 * The resilience room's public surface: classification, backoff, retry budgets, breakers,
 * adaptive timeouts and hedging (the gateway's dispatch owns the failover loop). Generic: it knows no HTTP client and no
 * provider beyond the error bodies it classifies. Import from here, not from the files.
 */
export {
  classifyError,
  classifyFailure,
  contextLengthPattern,
  isContextLengthText,
  type ClassifyContext,
} from './classify-failure.js';
export { readUpstreamError, type UpstreamErrorDetails } from './upstream-error-body.js';
export { fullJitterDelay, type JitterOptions } from './full-jitter-delay.js';
export { RetryBudget, type RetryBudgetOptions, type RetryBudgetSnapshot } from './retry-budget.js';
export {
  createBreakerRegistry,
  isHealthFailure,
  type BreakerRegistry,
  type BreakerRegistryOptions,
  type BreakerSnapshot,
  type BreakerState,
} from './breaker-registry.js';
export { AdaptiveTimeouts, type AdaptiveTimeoutOptions, type TimeoutSnapshot } from './adaptive-timeouts.js';
export { createDisabledKeys, keyIdOf, type DisabledKeys } from './disabled-keys.js';
export { mostInformativeError } from './most-informative-error.js';
export { hedge, type HedgeOptions, type HedgeResult, type HedgeSide } from './hedge.js';
export { linkedController, raceAbort } from './abort-signals.js';
