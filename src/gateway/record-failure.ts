/**
 * What a failed upstream call teaches the gateway: classify it, feed its rate-limit signal to the
 * ledger, settle its reservation (refunding a request the provider never counted), disable a key
 * the provider refused, and tell the breaker and metrics. Dispatch and hedging both use it; it
 * never decides where the request goes next.
 */
import { isFreewayError, type FreewayError } from '../core/errors.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import { isDropCode } from '../quota/index.js';
import { bucketsFor } from './buckets.js';
import type { Admitted } from './reserve-first.js';
import type { GatewayServices } from './services.js';

/** Classifies a failed call, feeds its signals to the ledger and breaker, settles its reservation. */
export async function recordFailure(services: GatewayServices, admitted: Admitted, error: unknown, elapsedMs: number): Promise<FreewayError> {
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
