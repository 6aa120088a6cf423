/**
 * Steps 4–7 of the pipeline: admit a request on the best candidate that has quota (waiting in
 * the priority queue when none has), call it, feed what the provider said back into the ledger,
 * and fail over to the next candidate on a retryable error — all before the first byte reaches
 * the client. It owns the order of those steps, not their rules: quota, resilience and upstream do.
 */
import type { Deployment } from '../core/deployment.js';
import { FreewayError, isFreewayError } from '../core/errors.js';
import { mostInformativeError } from '../resilience/index.js';
import type { GatewayServices } from './services.js';
import type { Priority } from './types.js';
import { preferSameModel, tooSmallAfterOverflow } from './failover-order.js';
import { callMaybeHedged } from './hedged-call.js';
import { recordFailure } from './record-failure.js';
import { reserveFirst, type Admitted } from './reserve-first.js';

export type { Admitted } from './reserve-first.js';

export interface DispatchRequest {
  candidates: Deployment[];
  /** Tokens to reserve per deployment (prompt estimate × margin + the output it may write there). */
  tokensFor: (deployment: Deployment) => number;
  priority: Priority;
  /** Epoch ms after which the request gives up waiting for quota. */
  deadline: number;
  signal: AbortSignal;
}

export interface Dispatched<T> {
  value: T;
  admitted: Admitted;
  attempts: number;
}

/**
 * Calls `call` on admitted candidates until one succeeds. `call` must resolve only when the
 * answer is safe to start sending (for streams: the first content chunk is in hand).
 */
export async function dispatch<T>(
  services: GatewayServices,
  request: DispatchRequest,
  call: (admitted: Admitted, signal: AbortSignal) => Promise<T>,
): Promise<Dispatched<T>> {
  const { resilience } = services;
  const { breakers } = resilience;
  const excluded = new Set<string>();
  // Providers this request has called: every further call to one of them is a retry and pays from its budget.
  const called = new Set<string>();
  let order: Deployment[] = [...request.candidates];
  let attempts = 0;
  let sameRetries = 0;
  let lastError: FreewayError | undefined;

  for (;;) {
    const eligible = order.filter(
      (d) =>
        !excluded.has(d.id) &&
        services.isAvailable(d) &&
        (sameRetries > 0 || !called.has(d.providerId) || resilience.retryBudget.available(d.providerId) >= 1),
    );
    if (eligible.length === 0) {
      throw withAttempts(lastError ?? new FreewayError('no_healthy_provider', 'No provider can serve this model right now'), attempts);
    }

    const admitted = await admit(services, request, eligible, lastError).catch((error: unknown) => {
      throw isFreewayError(error) ? withAttempts(error, attempts) : error;
    });
    const { providerId } = admitted.deployment;
    if (!called.has(providerId)) resilience.retryBudget.recordRequest(providerId);
    else if (sameRetries === 0) resilience.retryBudget.tryRetry(providerId);
    called.add(providerId);
    attempts += 1;
    const started = services.clock.now();
    try {
      const hedged = await callMaybeHedged(services, request, admitted, eligible, call, () => (attempts += 1));
      breakers.recordSuccess(hedged.admitted.deployment.id);
      return { value: hedged.value, admitted: hedged.admitted, attempts };
    } catch (error) {
      if (request.signal.aborted) {
        breakers.recordAbandoned(admitted.deployment.id);
        await admitted.settle({ requestCharged: true, concurrency: 'ignore' });
        throw new FreewayError('client_closed', 'The client closed the connection');
      }
      const failure = await recordFailure(services, admitted, error, services.clock.now() - started);
      lastError = mostInformativeError(lastError ? [lastError, failure] : [failure]);
      if (failure.retry === 'never' || attempts >= services.settings.maxAttempts) throw withAttempts(failure, attempts);
      const canRetrySame =
        failure.retry === 'same' && sameRetries < 1 && resilience.retryBudget.tryRetry(admitted.deployment.providerId);
      if (canRetrySame) {
        sameRetries += 1;
        services.telemetry.retried(admitted.deployment, failure.code);
        const delay = resilience.backoff(sameRetries, failure.retryAfterMs);
        if (services.clock.now() + delay >= request.deadline) throw withAttempts(failure, attempts);
        await services.clock.sleep(delay, request.signal);
      } else {
        // A rate-limited deployment stays a candidate: the ledger has parked it until its limit returns.
        if (!isQuotaRefusal(failure.code)) excluded.add(admitted.deployment.id);
        sameRetries = 0;
        order = preferSameModel(order, admitted.deployment);
      }
      if (failure.code === 'context_length_exceeded') {
        for (const d of tooSmallAfterOverflow(request.candidates, admitted.deployment)) excluded.add(d.id);
      }
    }
  }
}

/** Reserves quota on the first eligible candidate with room, waiting in the priority queue otherwise. */
async function admit(
  services: GatewayServices,
  request: DispatchRequest,
  eligible: Deployment[],
  lastError: FreewayError | undefined,
): Promise<Admitted> {
  try {
    return await services.quota.queue.admit<Admitted>(
      async () => {
        const reserved = await reserveFirst(services, eligible, request.tokensFor, request.priority);
        if (!reserved.ok && reserved.neverFits) throw reserved.neverFits;
        return reserved;
      },
      { priority: request.priority, deadline: request.deadline, signal: request.signal },
    );
  } catch (error) {
    // A quota error says more than an earlier rate-limit failure; anything else keeps the earlier cause.
    if (isFreewayError(error) && (error.code === 'quota_exhausted' || error.code === 'request_too_large')) throw error;
    throw lastError ?? error;
  }
}

const isQuotaRefusal = (code: string): boolean => code === 'upstream_rate_limited' || code === 'upstream_quota_exhausted';

/** The same error, saying how many upstream calls were made before it (for x-freeway-attempts). */
function withAttempts(error: FreewayError, attempts: number): FreewayError {
  if (error.attempts === attempts) return error;
  return new FreewayError(error.code, error.message, {
    param: error.param,
    headers: error.headers,
    attempts,
    cause: error.cause,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  });
}
