/**
 * Each deployment's parameter profile: the rules known from the catalog's quirk data plus the lessons
 * learned from 400s, per (provider, upstream model) so every key of a provider shares them. It
 * applies the rules to a body, records new lessons, and serialises itself for persistence and for
 * /v1/freeway/state. It never calls a provider and never touches a hard need except to remember it.
 */
import type { Deployment } from '../core/deployment.js';
import { knownQuirks, type KnownQuirk } from './known-quirks.js';
import type { Lesson } from './read-rejection.js';
import { applyRules, hardNeeds, isSoftParam, mergeRule, type HardNeed, type ParamRule, type ParamRules, type ShapingChange } from './soft-params.js';

interface LearnedRule {
  rule: ParamRule;
  evidence: string;
  at: number;
}

interface LearnedProfile {
  rules: Partial<Record<string, LearnedRule>>;
  lacks: Partial<Record<HardNeed, { evidence: string; at: number }>>;
}

export interface ProfilesSnapshot {
  version: 1;
  profiles: Record<string, LearnedProfile>;
}

const profileKey = (d: Deployment): string => `${d.providerId}/${d.model.upstreamId}`;

export class ParameterProfiles {
  private readonly learned = new Map<string, LearnedProfile>();
  /** Merged rules per profile key, rebuilt when a lesson lands. */
  private readonly merged = new Map<string, ParamRules>();

  constructor(private readonly known: Readonly<Record<string, KnownQuirk>> = knownQuirks) {}

  /** Applies this deployment's rules to the per-call body in place; returns what changed. */
  apply(deployment: Deployment, body: Record<string, unknown>): ShapingChange[] {
    return applyRules(body, this.rulesFor(deployment));
  }

  rulesFor(deployment: Deployment): ParamRules {
    const key = profileKey(deployment);
    let rules = this.merged.get(key);
    if (!rules) {
      rules = { ...this.known[deployment.providerId]?.rules };
      for (const [param, learned] of Object.entries(this.learned.get(key)?.rules ?? {})) {
        if (learned && isSoftParam(param)) rules[param] = mergeRule(rules[param], learned.rule);
      }
      this.merged.set(key, rules);
    }
    return rules;
  }

  /** True when this deployment answered that it cannot serve `need`. */
  lacks(deployment: Deployment, need: HardNeed): boolean {
    return this.learned.get(profileKey(deployment))?.lacks[need] !== undefined;
  }

  /** Records a lesson; false when it teaches nothing new (the rule was already that tight). */
  learn(deployment: Deployment, lesson: Lesson, at: number): boolean {
    const key = profileKey(deployment);
    const profile = this.learned.get(key) ?? { rules: {}, lacks: {} };
    this.learned.set(key, profile);
    if (lesson.kind === 'hard') {
      if (profile.lacks[lesson.need]) return false;
      profile.lacks[lesson.need] = { evidence: lesson.evidence, at };
      return true;
    }
    const before = this.rulesFor(deployment)[lesson.param];
    const after = mergeRule(before, lesson.rule);
    if (before && JSON.stringify(before) === JSON.stringify(after)) return false;
    const previous = profile.rules[lesson.param]?.rule;
    profile.rules[lesson.param] = { rule: previous ? mergeRule(previous, lesson.rule) : lesson.rule, evidence: lesson.evidence, at };
    this.merged.delete(key);
    return true;
  }

  snapshot(): ProfilesSnapshot {
    return { version: 1, profiles: Object.fromEntries(this.learned) };
  }

  /** Loads a snapshot; false when it is not one (the file is then rewritten at the next save). */
  load(data: unknown): boolean {
    const snapshot = data as Partial<ProfilesSnapshot> | null;
    if (!snapshot || snapshot.version !== 1 || typeof snapshot.profiles !== 'object' || snapshot.profiles === null) return false;
    for (const [key, profile] of Object.entries(snapshot.profiles)) {
      const rules = Object.fromEntries(Object.entries(profile.rules ?? {}).filter(([param, r]) => isSoftParam(param) && isRule(r?.rule)));
      const lacks = Object.fromEntries(Object.entries(profile.lacks ?? {}).filter(([need]) => (hardNeeds as readonly string[]).includes(need)));
      this.learned.set(key, { rules, lacks });
    }
    this.merged.clear();
    return true;
  }

  /** For /v1/freeway/state: every profile with a known or learned rule. */
  describe(deployments: readonly Deployment[]): Record<string, unknown>[] {
    const seen = new Set<string>();
    const rows: Record<string, unknown>[] = [];
    for (const d of deployments) {
      const key = profileKey(d);
      if (seen.has(key)) continue;
      seen.add(key);
      const known = this.known[d.providerId];
      const learned = this.learned.get(key);
      if (!known && !learned) continue;
      rows.push({
        provider: d.providerId,
        upstreamModel: d.model.upstreamId,
        rules: this.rulesFor(d),
        ...(known ? { known: { source: known.source, asOf: known.asOf } } : {}),
        learned: Object.entries(learned?.rules ?? {}).map(([param, l]) => ({ param, rule: l?.rule, evidence: l?.evidence, at: new Date(l?.at ?? 0).toISOString() })),
        lacks: Object.entries(learned?.lacks ?? {}).map(([need, l]) => ({ need, evidence: l?.evidence, at: new Date(l?.at ?? 0).toISOString() })),
      });
    }
    return rows;
  }
}

function isRule(value: unknown): value is ParamRule {
  const action = (value as { action?: unknown } | null)?.action;
  return action === 'drop' || action === 'clamp' || action === 'limit-items';
}
