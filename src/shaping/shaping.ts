/**
 * The shaping service one gateway owns: parameter profiles (known quirks + lessons from 400s), output
 * budgets from observed lengths, sampling defaults by task, and the file they persist to. The gateway
 * calls it at four points (see call-shaped.ts, the reservation, the candidate filter and observeCall);
 * it never routes, reserves quota or calls a provider itself.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import { OutputBudget, type OutputBudgetMode } from './output-budget.js';
import { OutputLengths } from './output-lengths.js';
import { ParameterProfiles } from './parameter-profiles.js';
import { readRejection, type Lesson } from './read-rejection.js';
import { describeChanges, hardNeedsOf, type ShapingChange } from './soft-params.js';

export interface ShapingSettings {
  strip: boolean;
  defaults: Partial<Record<string, Record<string, number | boolean | string>>>;
  outputBudget: OutputBudgetMode;
}

/** What was changed in one request's upstream body, for x-freeway-shaped. */
export class ShapingNotes {
  private changes: ShapingChange[] = [];
  /** The call that answered replaces whatever an abandoned attempt changed. */
  record(changes: ShapingChange[]): void {
    this.changes = changes;
  }
  header(): string | undefined {
    return this.changes.length > 0 ? describeChanges(this.changes) : undefined;
  }
}

export interface Shaping {
  readonly settings: ShapingSettings;
  /** Sampling defaults, the deployment's rules and the output cap, applied to the per-call body in place. */
  prepare(deployment: Deployment, body: Record<string, unknown>, kind: string): ShapingChange[];
  /** What a failed call teaches, recorded; undefined when it teaches nothing (or stripping is off). */
  learnFrom(error: unknown, deployment: Deployment, body: Record<string, unknown>): (Lesson & { isNew: boolean }) | undefined;
  /** Candidates that have not said they lack a hard need of `body`; a clear 400 when none is left. */
  supporting(candidates: Deployment[], body: Record<string, unknown>, requested: string): Deployment[];
  /** Output tokens to reserve when the client set no max_tokens. */
  outputBudget(deployment: Deployment, kind: string): number;
  observeOutput(deployment: Deployment, kind: string, tokens: number): void;
  describe(deployments: readonly Deployment[]): Record<string, unknown>;
  readonly profiles: ParameterProfiles;
  readonly lengths: OutputLengths;
  /** Called whenever something worth persisting was learned. */
  onLearned?: () => void;
}

export function createShaping(settings: ShapingSettings, clock: Clock): Shaping {
  const profiles = new ParameterProfiles();
  const lengths = new OutputLengths();
  const budget = new OutputBudget(lengths, settings.outputBudget);

  const shaping: Shaping = {
    settings,
    profiles,
    lengths,
    prepare(deployment, body, kind) {
      const changes: ShapingChange[] = [];
      const defaults = settings.defaults[kind];
      if (defaults) {
        for (const [param, value] of Object.entries(defaults)) {
          if (body[param] !== undefined) continue;
          body[param] = value;
          changes.push({ param, change: `default:${String(value)}` });
        }
      }
      if (settings.strip) changes.push(...profiles.apply(deployment, body));
      if (body['max_tokens'] == null && body['max_completion_tokens'] == null) {
        const cap = budget.cap(deployment, kind);
        if (cap !== undefined) {
          body['max_tokens'] = cap;
          changes.push({ param: 'max_tokens', change: `budget:${cap}` });
        }
      }
      return changes;
    },
    learnFrom(error, deployment, body) {
      if (!(error instanceof UpstreamFailureError) || error.failure.kind !== 'http') return undefined;
      const { status, bodyText } = error.failure;
      if (status !== 400 && status !== 422) return undefined;
      const lesson = readRejection(bodyText, body);
      if (!lesson || (lesson.kind === 'soft' && !settings.strip)) return undefined;
      const isNew = profiles.learn(deployment, lesson, clock.now());
      if (isNew) shaping.onLearned?.();
      return { ...lesson, isNew };
    },
    supporting(candidates, body, requested) {
      const needs = hardNeedsOf(body);
      if (needs.length === 0) return candidates;
      const able = candidates.filter((d) => needs.every((need) => !profiles.lacks(d, need)));
      if (able.length > 0) return able;
      const need = needs.find((n) => candidates.every((d) => profiles.lacks(d, n))) ?? needs[0] ?? 'tools';
      throw new FreewayError(
        'invalid_request',
        `No deployment of '${requested}' accepts ${need === 'images' ? 'images' : `'${need}'`}: every candidate rejected it (see /v1/freeway/state, shaping). Choose another model or drop it.`,
        { param: need === 'images' ? 'messages' : need },
      );
    },
    outputBudget: (deployment, kind) => budget.reserve(deployment, kind),
    observeOutput(deployment, kind, tokens) {
      lengths.observe(deployment.model.id, kind, tokens);
      shaping.onLearned?.();
    },
    describe: (deployments) => ({
      strip: settings.strip,
      outputBudget: settings.outputBudget,
      profiles: profiles.describe(deployments),
      outputLengths: lengths.describe(),
    }),
  };
  return shaping;
}

/** A hard need the deployment turned away: failover to another candidate, or this 400 when none is left. */
export function unsupportedNeed(deployment: Deployment, lesson: Extract<Lesson, { kind: 'hard' }>): FreewayError {
  return new FreewayError(
    'upstream_unsupported',
    `${deployment.providerId} (${deployment.model.id}) does not accept ${lesson.need === 'images' ? 'images' : `'${lesson.need}'`}: ${lesson.evidence}`,
    { param: lesson.need === 'images' ? 'messages' : lesson.need },
  );
}
