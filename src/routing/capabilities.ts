/**
 * The capability matrix: what each deployment can do (size class, context window, output cap,
 * tags), read from its model profile alone. Unknown stays unknown: a model without a parameter
 * count gets no guessed class, and the router treats it as neither small nor strong.
 */
import { isModelTag, type Deployment, type ModelTag } from '../core/deployment.js';

export const sizeClasses = ['tiny', 'small', 'medium', 'large', 'frontier'] as const;
export type SizeClass = (typeof sizeClasses)[number];

export interface Capability {
  sizeClass: SizeClass | 'unknown';
  contextWindow: number | undefined;
  maxOutputTokens: number | undefined;
  tags: ReadonlySet<ModelTag>;
}

/** Billions of parameters → class: tiny <4B, small <15B, medium <40B, large <100B, frontier ≥100B. */
export function sizeClassOf(params: number | undefined): SizeClass | 'unknown' {
  if (params === undefined || !Number.isFinite(params) || params <= 0) return 'unknown';
  if (params < 4) return 'tiny';
  if (params < 15) return 'small';
  if (params < 40) return 'medium';
  if (params < 100) return 'large';
  return 'frontier';
}

/** 0 for tiny .. 4 for frontier; undefined when unknown. */
export function sizeRank(sizeClass: SizeClass | 'unknown'): number | undefined {
  const rank = sizeClasses.indexOf(sizeClass as SizeClass);
  return rank < 0 ? undefined : rank;
}

/** The class a task of this difficulty (0..1) needs: each fifth of the scale asks for one class more. */
export function classForDifficulty(difficulty: number): SizeClass {
  const index = Math.min(sizeClasses.length - 1, Math.max(0, Math.floor(difficulty * sizeClasses.length)));
  return sizeClasses[index] ?? 'medium';
}

/** Model profiles are fixed once config is loaded: ranking reads each one's capability on every request. */
const capabilities = new WeakMap<Deployment['model'], Capability>();

export function capabilityOf(deployment: Deployment): Capability {
  const model = deployment.model;
  let capability = capabilities.get(model);
  if (!capability) {
    capability = {
      sizeClass: sizeClassOf(model.params),
      contextWindow: model.contextWindow,
      maxOutputTokens: model.maxOutputTokens,
      // Only capabilities: the operator's labels matter to routing rules, not to ranking.
      tags: new Set(model.tags.filter(isModelTag)),
    };
    capabilities.set(model, capability);
  }
  return capability;
}

export function buildCapabilityMatrix(deployments: readonly Deployment[]): Map<string, Capability> {
  return new Map(deployments.map((d) => [d.id, capabilityOf(d)]));
}
