/**
 * Steps 4–7 of the pipeline: admit a request on the best candidate that has quota (waiting in
 * the priority queue when none has), call it, feed what the provider said back into the ledger,
 * and fail over to the next candidate on a retryable error — all before the first byte reaches
 * the client. It owns the order of those steps, not their rules: quota, resilience and upstream do.
 */
import type { Deployment } from '../core/deployment.js';
import { FreewayError, isFreewayError } from '../core/errors.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import type { GatewayServices } from './services.js';
import type { Priority } from './types.js';
import { isDropCode, type ReleaseOutcome, type SettleOutcome } from '../quota/index.js';
import { bucketsFor } from './buckets.js';

export interface DispatchRequest {
  candidates: Deployment[];
  /** Tokens to reserve per deployment (prompt estimate × margin + the output it may write there). */
  tokensFor: (deployment: Deployment) => number;
  priority: Priority;
  /** Epoch ms after which the request gives up waiting for quota. */
  deadline: number;
  signal: AbortSignal;
}

export interface Admitted {
  deployment: Deployment;
  /** Settle once the call's real usage is known: refund or charge the difference. */
  settle: (outcome: SettleOutcome & { concurrency?: ReleaseOutcome }) => Promise<void>;
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
  let attempts = 0;
  let sameRetries = 0;
  let lastError: FreewayError | undefined;

  for (;;) {
    const eligible = request.candidates.filter((d) => !excluded.has(d.id) && services.isAvailable(d));
    if (eligible.length === 0) {
      throw withAttempts(lastError ?? new FreewayError('no_healthy_provider', 'No provider can serve this model right now'), attempts);
    }

    const admitted = await admit(services, request, eligible, lastError).catch((error: unknown) => {
      throw isFreewayError(error) ? withAttempts(error, attempts) : error;
    });
    attempts += 1;
    services.resilience.retryBudget.recordRequest(admitted.deployment.providerId);
    const started = services.clock.now();
    try {
      const value = await call(admitted, request.signal);
      breakers.recordSuccess(admitted.deployment.id);
      return { value, admitted, attempts };
    } catch (error) {
      if (request.signal.aborted) {
        breakers.recordAbandoned(admitted.deployment.id);
        await admitted.settle({ requestCharged: true, concurrency: 'ignore' });
        throw new FreewayError('client_closed', 'The client closed the connection');
      }
      const failure = await handleFailure(services, admitted, error, services.clock.now() - started);
      lastError = preferInformative(lastError, failure);
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
        excluded.add(admitted.deployment.id);
        sameRetries = 0;
      }
      if (failure.code === 'context_length_exceeded') {
        // A window too small here is too small on every deployment of the same model.
        for (const d of request.candidates) if (d.model.id === admitted.deployment.model.id) excluded.add(d.id);
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
  const { ledger, queue } = services.quota;
  const { breakers } = services.resilience;
  try {
    return await queue.admit<Admitted>(
      async () => {
        let retryAt = Number.POSITIVE_INFINITY;
        for (const deployment of eligible) {
          if (!services.isAvailable(deployment)) continue;
          const concurrency = services.quota.concurrencyFor(deployment);
          if (concurrency && !concurrency.tryAcquire()) continue;
          // A half-open breaker lets one probe through: take the probe lease before spending quota on it.
          if (!breakers.tryAcquire(deployment.id)) {
            concurrency?.release('ignore');
            continue;
          }
          const result = await ledger.tryReserve({ buckets: bucketsFor(deployment), tokens: request.tokensFor(deployment) });
          if (result.ok) {
            const reservation = result.reservation;
            let settled = false;
            return {
              ok: true,
              value: {
                deployment,
                settle: async ({ concurrency: concurrencyOutcome, ...outcome }) => {
                  if (settled) return;
                  settled = true;
                  concurrency?.release(concurrencyOutcome ?? 'success');
                  await ledger.settle(reservation, outcome);
                  queue.notify();
                },
              },
            };
          }
          concurrency?.release('ignore');
          breakers.recordAbandoned(deployment.id);
          retryAt = Math.min(retryAt, result.retryAt);
        }
        return { ok: false, retryAt: Number.isFinite(retryAt) ? retryAt : services.clock.now() + 1000 };
      },
      { priority: request.priority, deadline: request.deadline, signal: request.signal },
    );
  } catch (error) {
    // A quota error says more than an earlier rate-limit failure; anything else keeps the earlier cause.
    if (isFreewayError(error) && error.code === 'quota_exhausted') throw error;
    throw lastError ?? error;
  }
}

/** Classifies a failed call, feeds its signals to the ledger and breaker, settles its reservation. */
async function handleFailure(services: GatewayServices, admitted: Admitted, error: unknown, elapsedMs: number): Promise<FreewayError> {
  const { deployment } = admitted;
  if (!(error instanceof UpstreamFailureError)) {
    await admitted.settle({ requestCharged: false, concurrency: 'ignore' });
    if (isFreewayError(error)) return error;
    throw error;
  }
  const failure = services.resilience.classify(error.failure, deployment);
  const { failure: raw } = error;
  if (raw.kind === 'http') await services.quota.ledger.observe(bucketsFor(deployment), raw.signal);
  // A request the provider turned away at the door was not counted by it; anything that reached a model was.
  const requestCharged = !(raw.kind === 'network' && raw.code === 'ECONNREFUSED');
  await admitted.settle({ requestCharged, concurrency: isDropCode(failure.code) ? 'drop' : 'ignore' });
  if (failure.code === 'upstream_auth_failed') services.disableKey(deployment, failure.message);
  services.resilience.breakers.recordFailure(deployment.id, failure);
  services.telemetry.upstreamFailed(deployment, failure, elapsedMs);
  return failure;
}

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

/** Between two failures, keep the one that tells the client more (a quota or client error over a generic 5xx). */
function preferInformative(previous: FreewayError | undefined, next: FreewayError): FreewayError {
  if (!previous) return next;
  const rank = (e: FreewayError) => (e.retry === 'never' ? 3 : e.code.includes('rate_limited') || e.code.includes('quota') ? 2 : 1);
  return rank(next) >= rank(previous) ? next : previous;
}

