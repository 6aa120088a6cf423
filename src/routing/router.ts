/**
 * The router: turns a request's `model` (canonical id, `provider/id` pin, virtual model or alias)
 * into a ranked list of deployments that can serve it, or a catalogue error (model_not_found with
 * the closest names, context_length_exceeded naming the largest window, invalid_request for a
 * missing capability). It reads deployments, rules, health and the predictor; it never calls a
 * provider, reserves quota or edits the request body.
 */
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { DEFAULT_TOKEN_MARGIN } from '../core/token-margin.js';
import { closestIds } from './closest-ids.js';
import type { LatencyPredictor } from './latency-predictor.js';
import { maxTokensFor, rankPool, tokensNeeded, type RankingMode, type RouterHealth } from './ranking.js';
import { routeHeader, type RouteDecision, type RouteExplanation, type RouteKind } from './route-decision.js';
import { compilePattern, ruleVerdict, type RoutingRules } from './routing-rules.js';
import type { SkipReason } from './skip-reasons.js';
import { extractTaskFeatures, type TaskFeatures } from './task-features.js';

export const virtualModels = ['auto', 'auto:fast', 'auto:best', 'auto:code'] as const;
export type VirtualModel = (typeof virtualModels)[number];

const virtualModes: Record<VirtualModel, RankingMode> = {
  auto: 'fit',
  'auto:fast': 'latency',
  'auto:best': 'quality',
  'auto:code': 'fit',
};

export interface RouterOptions {
  deployments: Deployment[];
  rules?: RoutingRules;
  predictor?: LatencyPredictor;
  health?: RouterHealth;
  /** Multiplier on prompt estimates in context checks, as config quota.tokenMargin; 1.15 by default (gpt-tokenizer is an OpenAI vocabulary). */
  tokenMargin?: number;
}

export interface ModelListing {
  id: string;
  owned_by: string;
  kind: RouteKind;
}

export interface Router {
  resolve(body: Record<string, unknown>): RouteDecision;
  /** The same for a POST /v1/embeddings body: only embedding-tagged deployments qualify. */
  resolveEmbedding(body: Record<string, unknown>): RouteDecision;
  listModels(): ModelListing[];
  /** Config problems found at creation (alias targets that match nothing), for the gateway to log. */
  readonly warnings: readonly string[];
}

interface Pool {
  kind: RouteKind;
  deployments: Deployment[];
}

export function createRouter(options: RouterOptions): Router {
  const rules = options.rules ?? {};
  const allow = rules.allow?.map(compilePattern);
  const deny = (rules.deny ?? []).map(compilePattern);
  const tokenMargin = options.tokenMargin ?? DEFAULT_TOKEN_MARGIN;
  const warnings: string[] = [];

  const excluded = new Map<string, SkipReason>();
  for (const d of options.deployments) {
    const reason = ruleVerdict(d, allow, deny);
    if (reason) excluded.set(d.id, reason);
  }
  const usable = options.deployments.filter((d) => !excluded.has(d.id));

  const canonical = new Map<string, Deployment[]>();
  const pinned = new Map<string, Deployment[]>();
  const listedPins = new Set<string>();
  for (const d of usable) {
    push(canonical, d.model.id, d);
    const pin = `${d.providerId}/${d.model.id}`;
    listedPins.add(pin);
    for (const name of new Set([pin, `${d.providerId}/${d.model.upstreamId}`, d.id])) push(pinned, name, d);
  }

  const aliases = new Map<string, Deployment[]>();
  for (const [name, targets] of Object.entries(rules.aliases ?? {})) {
    const members: Deployment[] = [];
    for (const target of targets) {
      const found = canonical.get(target) ?? pinned.get(target);
      if (!found) warnings.push(`alias ${name}: target ${target} matches no usable deployment`);
      for (const d of found ?? []) if (!members.includes(d)) members.push(d);
    }
    if (members.length > 0) aliases.set(name, members);
  }

  const names = (): string[] => [...virtualModels, ...aliases.keys(), ...canonical.keys(), ...listedPins];
  const lowercase = new Map<string, string>(names().map((n) => [n.toLowerCase(), n]));

  function poolFor(requested: string): { pool: Pool; virtual?: VirtualModel } | undefined {
    const name = lookupName(requested);
    if (name === undefined) return undefined;
    if ((virtualModels as readonly string[]).includes(name))
      return { pool: { kind: 'virtual', deployments: options.deployments }, virtual: name as VirtualModel };
    const alias = aliases.get(name);
    if (alias) return { pool: { kind: 'alias', deployments: alias } };
    const models = canonical.get(name);
    if (models) return { pool: { kind: 'canonical', deployments: models } };
    const pin = pinned.get(name);
    return pin ? { pool: { kind: 'pinned', deployments: pin } } : undefined;
  }

  function lookupName(requested: string): string | undefined {
    if (
      (virtualModels as readonly string[]).includes(requested) ||
      aliases.has(requested) ||
      canonical.has(requested) ||
      pinned.has(requested)
    )
      return requested;
    return lowercase.get(requested.toLowerCase());
  }

  function modeFor(name: string, kind: RouteKind, virtual: VirtualModel | undefined): RankingMode {
    const preference = rules.preferences?.[name];
    if (preference) return preference;
    if (virtual) return virtualModes[virtual];
    return kind === 'alias' ? 'order' : 'headroom';
  }

  function resolve(body: Record<string, unknown>, endpoint: 'chat' | 'embeddings'): RouteDecision {
    const requested = body.model;
    if (typeof requested !== 'string' || requested.trim() === '')
      throw new FreewayError('invalid_request', 'model is required: a model id, provider/model, an alias or auto', {
        param: 'model',
      });
    const found = poolFor(requested);
    if (!found) throw unknownModel(requested, names());
    const { pool, virtual } = found;
    const name = lookupName(requested) ?? requested;
    const features = extractTaskFeatures(endpoint === 'chat' ? body : { input: body.input });
    const mode = modeFor(name, pool.kind, virtual);
    const codeTagged =
      virtual === 'auto:code' && pool.deployments.some((d) => !excluded.has(d.id) && d.model.tags.includes('code'));
    const ranking = rankPool({
      pool: pool.deployments,
      features,
      mode,
      ...(codeTagged ? { requiredTag: 'code' as const } : {}),
      excluded,
      predictor: options.predictor,
      health: options.health,
      tokenMargin,
    });
    if (ranking.candidates.length === 0)
      throw noCandidate(name, pool.deployments, ranking.verdicts, features, tokenMargin);
    const summary = { requested: name, kind: pool.kind, mode, requiredClass: ranking.requiredClass, features };
    const header = routeHeader(name, summary, ranking.candidates);
    return {
      requested: name,
      kind: pool.kind,
      candidates: ranking.candidates,
      features,
      header,
      explain: (): RouteExplanation => ({ ...summary, deployments: ranking.verdicts }),
      maxTokensFor: (d) => maxTokensFor(features, d),
    };
  }

  return {
    warnings,
    resolve: (body) => resolve(body, 'chat'),
    resolveEmbedding: (body) => resolve(body, 'embeddings'),

    listModels() {
      const listing: ModelListing[] = virtualModels.map((id) => ({ id, owned_by: 'freeway', kind: 'virtual' }));
      for (const id of aliases.keys()) listing.push({ id, owned_by: 'freeway', kind: 'alias' });
      for (const [id, pool] of canonical) {
        const providers = new Set(pool.map((d) => d.providerId));
        listing.push({
          id,
          owned_by: providers.size === 1 ? ([...providers][0] ?? 'freeway') : 'freeway',
          kind: 'canonical',
        });
      }
      for (const id of listedPins) listing.push({ id, owned_by: id.slice(0, id.indexOf('/')), kind: 'pinned' });
      return listing;
    },
  };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

function unknownModel(requested: string, names: string[]): FreewayError {
  const shown = requested.length > 80 ? `${requested.slice(0, 80)}…` : requested;
  const suggestions = closestIds(requested, names);
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?` : '';
  return new FreewayError(
    'model_not_found',
    `The model '${shown}' does not exist or is not configured.${hint} GET /v1/models lists every model.`,
    { param: 'model' },
  );
}

/** Context beats capability in the error only when some deployment had every capability and lacked only room. */
function noCandidate(
  name: string,
  pool: readonly Deployment[],
  verdicts: RouteExplanation['deployments'],
  features: TaskFeatures,
  tokenMargin: number,
): FreewayError {
  const roomOnly = pool.filter((d) => verdicts.find((v) => v.id === d.id)?.skip?.kind === 'context_window');
  if (roomOnly.length > 0) {
    const largest = roomOnly.reduce((best, d) =>
      (d.model.contextWindow ?? 0) > (best.model.contextWindow ?? 0) ? d : best,
    );
    const needed = tokensNeeded(features, largest, tokenMargin);
    const output = maxTokensFor(features, largest);
    return new FreewayError(
      'context_length_exceeded',
      `This request needs about ${needed} tokens (prompt ~${features.promptTokens}${output === undefined ? '' : ` + max_tokens ${output}`}), but the largest context window on offer for '${name}' is ${largest.model.contextWindow ?? 0} tokens (${largest.model.id}). Shorten the prompt or lower max_tokens.`,
      { param: 'messages' },
    );
  }
  const reasons = [...new Set(verdicts.map((v) => v.skipped).filter((r): r is string => r !== undefined))];
  const param = features.needs.tools
    ? 'tools'
    : features.needs.json
      ? 'response_format'
      : features.needs.vision
        ? 'messages'
        : 'model';
  return new FreewayError(
    'invalid_request',
    `No deployment of '${name}' can serve this request: ${reasons.join('; ') || 'none configured'}.`,
    { param },
  );
}
