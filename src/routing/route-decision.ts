/**
 * The shape of a routing decision and its explanation, and the short `x-freeway-route` header
 * built from them. Pure data: it never ranks or resolves anything.
 */
import type { Deployment } from '../core/deployment.js';
import type { SizeClass } from './capabilities.js';
import type { DeploymentVerdict, RankingMode } from './ranking.js';
import type { TaskFeatures } from './task-features.js';

export type RouteKind = 'canonical' | 'pinned' | 'virtual' | 'alias';

export interface RouteExplanation {
  requested: string;
  kind: RouteKind;
  /** How the pool was ordered. */
  mode: RankingMode;
  /** The size class the task's difficulty asks for (what `auto` aims at). */
  requiredClass: SizeClass;
  features: TaskFeatures;
  /** Every deployment considered: candidates with rank and score parts, the rest with why they were skipped. */
  deployments: DeploymentVerdict[];
}

export interface RouteDecision {
  requested: string;
  kind: RouteKind;
  /** Ranked best first; never empty. */
  candidates: Deployment[];
  features: TaskFeatures;
  /** Short value for the `x-freeway-route` response header. */
  header: string;
  explain(): RouteExplanation;
  /** The client's max_tokens clamped to the deployment's output cap; undefined when the client set none. */
  maxTokensFor(deployment: Deployment): number | undefined;
}

/** e.g. `auto; task=classification; difficulty=0.1; class=tiny; pick=groq/llama-3.1-8b; candidates=3` (ASCII, no commas inside values). */
export function routeHeader(
  requested: string,
  explanation: Omit<RouteExplanation, 'deployments'>,
  candidates: readonly Deployment[],
): string {
  const { features } = explanation;
  const parts = [
    safe(requested),
    `kind=${explanation.kind}`,
    `task=${features.kind}`,
    `difficulty=${features.difficulty}`,
  ];
  if (explanation.kind === 'virtual') parts.push(`class=${explanation.requiredClass}`);
  parts.push(`pick=${safe(candidates[0]?.id ?? 'none')}`, `candidates=${candidates.length}`);
  return parts.join('; ');
}

function safe(text: string): string {
  return text
    .replace(/[^\x21-\x7e]/g, '_')
    .replace(/[;,]/g, '_')
    .slice(0, 120);
}
