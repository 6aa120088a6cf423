/**
 * The IETF draft RateLimit fields: `RateLimit-Policy` (`"daily";q=1000;w=86400`) says what the
 * quotas are, `RateLimit` (`"daily";r=50;t=30`) what is left and in how many seconds more comes.
 * Drafts up to -06 used `RateLimit-Limit/-Remaining/-Reset`, and some servers still send the
 * dictionary form `limit=100, remaining=50, reset=30`; all three are read. Retry-After wins over `t`.
 */
import type { LimitUnit } from '../../core/limits.js';
import type { LimitObservation, RateLimitSignal } from '../../core/rate-limit-signal.js';
import { parseCount } from '../reset-formats.js';
import { buildSignal, observationFrom, retryAfterFromHeaders, type SignalInput } from '../signal-input.js';
import { parseList, type ListMember } from './structured-fields.js';

export function parseIetfSignal(input: SignalInput): RateLimitSignal {
  const current = input.header('ratelimit');
  const observations =
    current !== undefined && /(?:^|,)\s*remaining\s*=/i.test(current)
      ? dictionaryForm(input, current)
      : current !== undefined || input.header('ratelimit-policy') !== undefined
        ? structuredForm(input, current)
        : separateFieldsForm(input);
  return buildSignal(input, observations, retryAfterFromHeaders(input));
}

function structuredForm(input: SignalInput, current: string | undefined): LimitObservation[] {
  const policies = new Map<string, ListMember>();
  for (const policy of parseList(input.header('ratelimit-policy'))) policies.set(String(policy.value), policy);
  const observations: LimitObservation[] = [];
  const seen = new Set<string>();
  for (const state of parseList(current)) {
    const name = String(state.value);
    seen.add(name);
    // A lone policy and a lone state describe the same quota even when their names differ.
    const policy = policies.get(name) ?? (policies.size === 1 ? policies.values().next().value : undefined);
    if (policy) seen.add(String(policy.value));
    const observation = observe(input, policy, state);
    if (observation) observations.push(observation);
  }
  for (const [name, policy] of policies) {
    if (seen.has(name)) continue;
    const observation = observe(input, policy, undefined);
    if (observation) observations.push(observation);
  }
  return observations;
}

function observe(input: SignalInput, policy: ListMember | undefined, state: ListMember | undefined): LimitObservation | undefined {
  const unit = unitOf(policy?.params['qu']);
  if (!unit) return undefined;
  const window = parseCount(policy?.params['w']);
  const delta = parseCount(state?.params['t']);
  return observationFrom(unit, window === undefined ? undefined : window * 1000, {
    limit: policy?.params['q'],
    remaining: state?.params['r'],
    resetAt: delta === undefined ? undefined : input.now + delta * 1000,
  });
}

/** Requests by default; byte and concurrency quotas do not fit a requests-or-tokens ledger, so they are left out. */
function unitOf(quotaUnit: unknown): LimitUnit | undefined {
  if (quotaUnit === undefined || quotaUnit === 'requests') return 'requests';
  return quotaUnit === 'tokens' ? 'tokens' : undefined;
}

function dictionaryForm(input: SignalInput, current: string): LimitObservation[] {
  const fields = new Map<string, unknown>();
  for (const member of parseList(current)) {
    const [key, value] = String(member.value).split('=');
    if (key && value !== undefined) fields.set(key.trim().toLowerCase(), value.trim());
  }
  return oneObservation(input, fields.get('limit'), fields.get('remaining'), fields.get('reset'), undefined);
}

function separateFieldsForm(input: SignalInput): LimitObservation[] {
  // `RateLimit-Limit: 100, 100;w=60` lists the quota first, then its policies.
  const limitMembers = parseList(input.header('ratelimit-limit'));
  const window = parseCount(limitMembers.find((m) => m.params['w'] !== undefined)?.params['w']);
  return oneObservation(input, limitMembers[0]?.value, input.header('ratelimit-remaining'), input.header('ratelimit-reset'), window);
}

function oneObservation(input: SignalInput, limit: unknown, remaining: unknown, reset: unknown, windowSeconds: number | undefined): LimitObservation[] {
  const delta = parseCount(reset);
  const observation = observationFrom('requests', windowSeconds === undefined ? undefined : windowSeconds * 1000, {
    limit,
    remaining,
    resetAt: delta === undefined ? undefined : input.now + delta * 1000,
  });
  return observation ? [observation] : [];
}
