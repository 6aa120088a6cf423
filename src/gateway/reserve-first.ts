/**
 * One pass of admission, without waiting: reserve quota on the first candidate that is healthy,
 * has a concurrency slot and (when its breaker is half-open) wins the probe lease. Dispatch runs it
 * inside the priority queue; a hedge runs it once, since a hedge that must wait is not worth sending.
 * It never calls a provider and never waits for quota.
 */
import type { Deployment } from '../core/deployment.js';
import type { ReleaseOutcome, SettleOutcome } from '../quota/index.js';
import { createRefusals, type Refused } from './admission-refusals.js';
import { bucketsFor } from './buckets.js';
import type { GatewayServices } from './services.js';

export interface Admitted {
  deployment: Deployment;
  /** Settle once the call's real usage is known: refund or charge the difference. */
  settle: (outcome: SettleOutcome & { concurrency?: ReleaseOutcome }) => Promise<void>;
}

export type Reserved = { ok: true; value: Admitted } | Refused;

export async function reserveFirst(
  services: GatewayServices,
  eligible: readonly Deployment[],
  tokensFor: (deployment: Deployment) => number,
  priority: 'high' | 'normal' | 'low' = 'normal',
): Promise<Reserved> {
  const { ledger, queue } = services.quota;
  const { breakers } = services.resilience;
  const refusals = createRefusals(services.clock);
  for (const deployment of eligible) {
    if (!services.isAvailable(deployment)) {
      refusals.unavailable();
      continue;
    }
    const concurrency = services.quota.concurrencyFor(deployment);
    if (concurrency && !concurrency.tryAcquire()) {
      refusals.concurrency();
      continue;
    }
    // A half-open breaker lets one probe through: take the probe lease before spending quota on it.
    if (!breakers.tryAcquire(deployment.id)) {
      concurrency?.release('ignore');
      refusals.unavailable();
      continue;
    }
    const tokens = tokensFor(deployment);
    const result = await ledger.tryReserve({ buckets: bucketsFor(deployment), tokens, priority });
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
    refusals.ledger(deployment, result, tokens);
  }
  return refusals.verdict();
}
