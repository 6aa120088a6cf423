/**
 * Ranking: checks each deployment of a pool against the request's hard constraints (endpoint,
 * tools, JSON mode, vision, code for auto:code, context window) and orders the survivors by fit,
 * quota headroom, availability and predicted latency. It never drops a deployment for being busy
 * or out of quota (admission and the breaker decide that); it only ranks it lower.
 */
import type { Deployment } from '../core/deployment.js';
import { withTokenMargin } from '../core/token-margin.js';
import { capabilityOf, classForDifficulty, sizeRank, type Capability, type SizeClass } from './capabilities.js';
import type { LatencyPredictor } from './latency-predictor.js';
import type { RoutingPreference } from './routing-rules.js';
import { describeSkip, type SkipReason } from './skip-reasons.js';
import type { TaskFeatures } from './task-features.js';

export interface RouterHealth {
  /** Breaker not open, key not disabled. */
  isAvailable(deployment: Deployment): boolean;
  /** 0..1 from the quota ledger: room left in the tightest scope, relative to its time to reset. */
  headroom(deployment: Deployment): number;
}

/** `fit` is the task-sized ordering of `auto`; the others are the rule preferences. */
export type RankingMode = RoutingPreference | 'fit';

export interface ScoreParts {
  /** How well the model's size suits the task (or, under `quality`, how strong it is), 0..1. */
  fit: number;
  headroom: number;
  /** Fastest predicted total = 1; unknown = 0.5. */
  latency: number;
  predictedMs: number | undefined;
  available: boolean;
  total: number;
}

export interface DeploymentVerdict {
  id: string;
  provider: string;
  model: string;
  sizeClass: Capability['sizeClass'];
  contextWindow: number | undefined;
  /** Why it is not a candidate, as data; absent for candidates. */
  skip?: SkipReason;
  /** The same in words, for explanations. */
  skipped?: string;
  /** 1-based position among candidates. */
  rank?: number;
  score?: ScoreParts;
}

export interface RankingInput {
  pool: readonly Deployment[];
  features: TaskFeatures;
  mode: RankingMode;
  /** Deployments without this tag are skipped (auto:code). */
  requiredTag?: 'code';
  /** Deployments the rules keep out, with the reason (shown, never ranked). */
  excluded: ReadonlyMap<string, SkipReason>;
  predictor: LatencyPredictor | undefined;
  health: RouterHealth | undefined;
  /** Multiplier on the prompt estimate in context checks (another vocabulary may count more); see core/token-margin.ts. */
  tokenMargin: number;
}

export interface RankingResult {
  candidates: Deployment[];
  verdicts: DeploymentVerdict[];
  requiredClass: SizeClass;
}

const weights: Record<RankingMode, { fit: number; headroom: number; latency: number }> = {
  fit: { fit: 0.6, headroom: 0.25, latency: 0.15 },
  latency: { fit: 0.15, headroom: 0.2, latency: 0.65 },
  quality: { fit: 0.6, headroom: 0.3, latency: 0.1 },
  headroom: { fit: 0.1, headroom: 0.6, latency: 0.3 },
  order: { fit: 0, headroom: 0, latency: 0 },
};

export function maxTokensFor(features: TaskFeatures, deployment: Deployment): number | undefined {
  const requested = features.maxTokens;
  const cap = deployment.model.maxOutputTokens;
  return requested === undefined || cap === undefined ? requested : Math.min(requested, cap);
}

/** Tokens the context window must hold for this request on this deployment. */
export function tokensNeeded(features: TaskFeatures, deployment: Deployment, tokenMargin: number): number {
  return withTokenMargin(features.promptTokens, tokenMargin) + (maxTokensFor(features, deployment) ?? 1);
}

// Reasons without details are shared constants: ranking runs on every request.
const EMBEDDING_MODEL: SkipReason = { kind: 'embedding_model' };
const NOT_EMBEDDING_MODEL: SkipReason = { kind: 'not_embedding_model' };
const NO_TOOLS: SkipReason = { kind: 'no_tools' };
const NO_JSON_MODE: SkipReason = { kind: 'no_json_mode' };
const NO_VISION: SkipReason = { kind: 'no_vision' };

function constraintFailure(d: Deployment, cap: Capability, input: RankingInput): SkipReason | undefined {
  const { features, requiredTag } = input;
  const isEmbedding = cap.tags.has('embedding');
  if (features.endpoint === 'chat' && isEmbedding) return EMBEDDING_MODEL;
  if (features.endpoint === 'embeddings' && !isEmbedding) return NOT_EMBEDDING_MODEL;
  if (features.needs.tools && !cap.tags.has('tools')) return NO_TOOLS;
  if (features.needs.json && !cap.tags.has('json')) return NO_JSON_MODE;
  if (features.needs.vision && !cap.tags.has('vision')) return NO_VISION;
  if (requiredTag && !cap.tags.has(requiredTag)) return { kind: 'missing_tag', tag: requiredTag };
  const needed = tokensNeeded(features, d, input.tokenMargin);
  if (cap.contextWindow !== undefined && needed > cap.contextWindow) return { kind: 'context_window', contextWindow: cap.contextWindow, needed };
  return undefined;
}

function sizeFit(cap: Capability, required: SizeClass): number {
  const rank = sizeRank(cap.sizeClass);
  const wanted = sizeRank(required) ?? 2;
  if (rank === undefined) return 0.5;
  const gap = rank - wanted;
  // Too small fails the task; too big only wastes scarce quota, so undershooting costs more.
  return gap >= 0 ? 1 - 0.15 * gap : Math.max(0, 1 - 0.35 * -gap);
}

/** A model tagged for the task's kind suits it better than an untagged one of the same size. */
function specialtyFit(cap: Capability, features: TaskFeatures): number {
  if (features.kind === 'code' && !cap.tags.has('code')) return 0.8;
  if (features.kind === 'reasoning' && !cap.tags.has('reasoning')) return 0.9;
  return 1;
}

function strength(cap: Capability): number {
  const rank = sizeRank(cap.sizeClass);
  const base = rank === undefined ? 0.4 : rank / 4;
  return Math.min(1, base + (cap.tags.has('reasoning') ? 0.1 : 0));
}

export function rankPool(input: RankingInput): RankingResult {
  const { pool, features, mode, predictor, health } = input;
  const requiredClass = classForDifficulty(features.difficulty);
  const verdicts: DeploymentVerdict[] = [];
  const eligible: {
    d: Deployment;
    verdict: DeploymentVerdict;
    cap: Capability;
    order: number;
    predictedMs: number | undefined;
  }[] = [];

  pool.forEach((d, order) => {
    const cap = capabilityOf(d);
    const verdict: DeploymentVerdict = {
      id: d.id,
      provider: d.providerId,
      model: d.model.id,
      sizeClass: cap.sizeClass,
      contextWindow: cap.contextWindow,
    };
    verdicts.push(verdict);
    const skip = input.excluded.get(d.id) ?? constraintFailure(d, cap, input);
    if (skip) {
      verdict.skip = skip;
      verdict.skipped = describeSkip(skip);
      return;
    }
    const predictedMs = predictor?.predict(d.id, {
      promptTokens: features.promptTokens,
      maxTokens: maxTokensFor(features, d),
    })?.totalMs;
    eligible.push({ d, verdict, cap, order, predictedMs });
  });

  const fastest = Math.min(...eligible.map((e) => e.predictedMs ?? Number.POSITIVE_INFINITY));
  const w = weights[mode];
  const scored = eligible.map((e) => {
    const available = health ? health.isAvailable(e.d) : true;
    const headroom = health ? clamp01(health.headroom(e.d)) : 1;
    const latency =
      e.predictedMs === undefined || !Number.isFinite(fastest) ? 0.5 : e.predictedMs <= 0 ? 1 : fastest / e.predictedMs;
    const fit = mode === 'quality' ? strength(e.cap) : sizeFit(e.cap, requiredClass) * specialtyFit(e.cap, features);
    const total =
      mode === 'order'
        ? 1 - e.order / Math.max(1, pool.length)
        : w.fit * fit + w.headroom * headroom + w.latency * latency;
    // Deployments that can serve now come first; spent ones next (quota may return); broken ones last.
    const tier = !available ? 2 : headroom <= 0 ? 1 : 0;
    e.verdict.score = {
      fit: round(fit),
      headroom: round(headroom),
      latency: round(latency),
      predictedMs: e.predictedMs === undefined ? undefined : Math.round(e.predictedMs),
      available,
      total: round(total),
    };
    return { d: e.d, verdict: e.verdict, order: e.order, tier, total };
  });
  scored.sort((a, b) => a.tier - b.tier || b.total - a.total || a.order - b.order);
  scored.forEach((s, index) => (s.verdict.rank = index + 1));
  return { candidates: scored.map((s) => s.d), verdicts, requiredClass };
}

const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const round = (value: number): number => Math.round(value * 1000) / 1000;
