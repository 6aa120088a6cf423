/**
 * Routing rules from config: aliases, allow and deny patterns, per-name preferences. This module
 * owns their shape (the config module produces exactly `RoutingRules`) and the pattern matching;
 * it never resolves names to deployments.
 */
import type { Deployment } from '../core/deployment.js';
import type { SkipReason } from './skip-reasons.js';

/** How a pool is ordered once the hard constraints have passed. */
export type RoutingPreference = 'latency' | 'quality' | 'headroom' | 'order';

export interface RoutingRules {
  /** Name → targets (canonical ids or `provider/id` pins), e.g. `fast: ['groq/llama-3.1-8b', 'cerebras/llama-3.1-8b']`. */
  aliases?: Record<string, string[]>;
  /** Patterns over `provider/model` (or `tag:<tag>`) with `*`; when present, only matching deployments are used. */
  allow?: string[];
  /** Patterns over `provider/model` (or `tag:<tag>`) with `*`; matching deployments are never used. */
  deny?: string[];
  /** Alias or virtual model → how its pool is ranked. */
  preferences?: Record<string, RoutingPreference>;
}

/** Compiles `*` globs (case-insensitive, anchored) once: rules are checked at router creation only. */
export function compilePattern(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** The names a deployment answers to in patterns: `provider/canonical-id`, `provider/upstream-id`, and `tag:<tag>` per tag or label. */
export function patternSubjects(deployment: Deployment): string[] {
  const { providerId, model } = deployment;
  const subjects = [`${providerId}/${model.id}`];
  if (model.upstreamId !== model.id) subjects.push(`${providerId}/${model.upstreamId}`);
  for (const tag of model.tags) subjects.push(`tag:${tag}`);
  return subjects;
}

/** Why rules keep this deployment out, or undefined when they let it in. */
export function ruleVerdict(deployment: Deployment, allow: RegExp[] | undefined, deny: RegExp[]): SkipReason | undefined {
  const subjects = patternSubjects(deployment);
  const denied = deny.find((pattern) => subjects.some((s) => pattern.test(s)));
  if (denied) return { kind: 'denied_by_rule', pattern: denied.source };
  if (allow && !allow.some((pattern) => subjects.some((s) => pattern.test(s)))) return { kind: 'not_allowed' };
  return undefined;
}
