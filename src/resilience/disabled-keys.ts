/**
 * Provider keys taken out of service after the provider refused them (401/403): beside the breaker
 * registry, the other half of "may this deployment be called?". Keyed by provider and key label, not
 * by scope, so one bad key in an organisation leaves its other keys serving. It holds the verdict
 * and the reason shown in state; it never holds or logs the key itself.
 */
import type { Deployment } from '../core/deployment.js';

/** A key's identity for state and disabling: its provider and its non-secret label. */
export const keyIdOf = (deployment: Deployment): string => `${deployment.providerId}:${deployment.keyLabel}`;

export interface DisabledKeys {
  /** Takes the deployment's key out of service; the first reason is kept. */
  disable(deployment: Deployment, reason: string): void;
  isDisabled(deployment: Deployment): boolean;
  /** Why the deployment's key is out of service, or undefined while it serves. */
  reasonFor(deployment: Deployment): string | undefined;
}

export function createDisabledKeys(options: { log?: (line: string) => void } = {}): DisabledKeys {
  const reasons = new Map<string, string>();
  return {
    disable(deployment, reason) {
      const id = keyIdOf(deployment);
      if (reasons.has(id)) return;
      reasons.set(id, reason);
      options.log?.(`warning: ${deployment.providerId} ${deployment.keyLabel} rejected by the provider and taken out of service: ${reason}`);
    },
    // Read by routing and admission on every request: an empty map answers without building the id.
    isDisabled: (deployment) => reasons.size > 0 && reasons.has(keyIdOf(deployment)),
    reasonFor: (deployment) => (reasons.size > 0 ? reasons.get(keyIdOf(deployment)) : undefined),
  };
}
