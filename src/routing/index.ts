/**
 * Routing: which deployments may serve a request, best first, and how fast each will be.
 * Imports only src/core; never calls a provider, reserves quota or changes the request.
 *
 * API
 * - `extractTaskFeatures(body) → TaskFeatures`: prompt tokens (exact BPE up to 256 characters,
 *   estimated from the characters above: token-estimate.ts), `maxTokens`, `kind` (code | classification | extraction | summarization | translation |
 *   creative | reasoning | chat), `needs` {tools, json, vision, longContext}, `difficulty` 0..1.
 * - `sizeClassOf(params)`, `buildCapabilityMatrix(deployments)`: tiny <4B, small <15B, medium <40B,
 *   large <100B, frontier ≥100B, or unknown.
 * - `createRouter({ deployments, rules?, predictor?, health?, tokenMargin? }) → Router`:
 *   `resolve(body) → RouteDecision` ({requested, kind, candidates best first, features, header,
 *   explain(), maxTokensFor(d)}), throwing FreewayError `invalid_request` (no/blank model, or a
 *   missing capability), `model_not_found` (closest names in the message) or
 *   `context_length_exceeded` (largest window named); `listModels()` for GET /v1/models;
 *   `warnings` for alias targets that match nothing.
 *   `model` may be a canonical id, `provider/id` (or a deployment id `provider/id#n`), an alias
 *   from `RoutingRules.aliases`, or `auto` | `auto:fast` | `auto:best` | `auto:code`.
 * - `RoutingRules` = { aliases?, allow?, deny?, preferences? } (the config module's shape).
 * - `createLatencyPredictor({ clock?, decay?, idleHalfLifeMs?, recentSize? }) → LatencyPredictor`:
 *   `observe(id, {promptTokens, outputTokens, ttftMs, totalMs})`, `predict(id, {promptTokens,
 *   maxTokens?})`, `ttftQuantile(id, q, promptTokens?)`, `toJSON`/`fromJSON`,
 *   `saveToFile`/`loadFromFile`.
 */
export { estimateTokens } from './token-estimate.js';
export {
  extractTaskFeatures,
  taskKinds,
  type TaskFeatures,
  type TaskKind,
  type TaskNeeds,
} from './task-features.js';
export {
  buildCapabilityMatrix,
  capabilityOf,
  classForDifficulty,
  sizeClassOf,
  sizeClasses,
  type Capability,
  type SizeClass,
} from './capabilities.js';
export {
  createRouter,
  virtualModels,
  type ModelListing,
  type Router,
  type RouterOptions,
  type VirtualModel,
} from './router.js';
export type { RouteDecision, RouteExplanation, RouteKind } from './route-decision.js';
export type { DeploymentVerdict, RankingMode, RouterHealth, ScoreParts } from './ranking.js';
export type { RoutingPreference, RoutingRules } from './routing-rules.js';
export { describeSkip, type SkipReason } from './skip-reasons.js';
export { closestIds, editDistance } from './closest-ids.js';
export {
  createLatencyPredictor,
  type LatencyObservation,
  type LatencyPrediction,
  type LatencyPredictor,
  type PredictorOptions,
  type PredictorSnapshot,
} from './latency-predictor.js';
