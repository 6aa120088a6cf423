/**
 * How many requests the pooled quota serves, read from the gateway's state (the ledger's limits and
 * what is left of them): the sustained rate per minute, and how many could be admitted right now.
 * Per key, the key's own request limits cap the sum of its models' limits. Token limits are left
 * out (a line's token cost is not known ahead), so this is an upper bound when tokens bind first.
 * It feeds ETAs and the runnable backlog; it never reserves anything.
 */
import type { Gateway } from '../gateway/types.js';

export interface QuotaCapacity {
  /** Requests per minute the pool sustains; null when no request limit is known. */
  requestsPerMinute: number | null;
  /** Requests the pool could admit now; null when unknown. */
  availableNow: number | null;
}

interface StateLimit {
  scope: 'key' | 'model';
  label: string;
  unit: string;
  limit: number;
  remaining: number;
}

interface StateDeployment {
  provider: string;
  key: string;
  model: string;
  limits: StateLimit[];
}

const WINDOW_MINUTES: Record<string, number> = { second: 1 / 60, minute: 1, hour: 60, day: 1_440, month: 43_200 };

/** Minutes in a limit's window, from its label (`30 requests/minute`, `10 requests/500ms`). */
function windowMinutes(label: string): number | undefined {
  const window = label.split('/')[1] ?? '';
  if (window in WINDOW_MINUTES) return WINDOW_MINUTES[window];
  const ms = /^(\d+)ms$/.exec(window)?.[1];
  return ms ? Number(ms) / 60_000 : undefined;
}

function capOf(limits: StateLimit[], scope: 'key' | 'model'): { rate: number; left: number } {
  let rate = Infinity;
  let left = Infinity;
  for (const limit of limits) {
    if (limit.scope !== scope || limit.unit !== 'requests') continue;
    const minutes = windowMinutes(limit.label);
    if (minutes === undefined) continue;
    rate = Math.min(rate, limit.limit / minutes);
    left = Math.min(left, Math.max(0, limit.remaining));
  }
  return { rate, left };
}

export async function readQuotaCapacity(gateway: Gateway): Promise<QuotaCapacity> {
  const state = await gateway.state();
  const deployments = (state['deployments'] as StateDeployment[] | undefined) ?? [];
  const byKey = new Map<string, StateDeployment[]>();
  for (const d of deployments) byKey.set(`${d.provider}:${d.key}`, [...(byKey.get(`${d.provider}:${d.key}`) ?? []), d]);
  let rate = 0;
  let left = 0;
  let isKnown = false;
  for (const group of byKey.values()) {
    const key = capOf(group[0]?.limits ?? [], 'key');
    const models = group.map((d) => capOf(d.limits, 'model'));
    const modelRate = models.reduce((sum, m) => sum + m.rate, 0);
    const modelLeft = models.reduce((sum, m) => sum + m.left, 0);
    const keyRate = Math.min(key.rate, modelRate);
    if (!Number.isFinite(keyRate)) continue;
    isKnown = true;
    rate += keyRate;
    left += Math.min(key.left, modelLeft);
  }
  return isKnown ? { requestsPerMinute: rate, availableNow: left } : { requestsPerMinute: null, availableNow: null };
}
