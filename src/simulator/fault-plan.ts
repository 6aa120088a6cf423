/**
 * Which fault, if any, a request gets: by schedule (request numbers, every Nth, a period of fleet
 * time) or by seeded rate keyed on the request's content and how often it was seen, so the same
 * requests meet the same faults whatever else runs in between.
 */
import type { FaultKind, SimFault, SimModel, SimProvider } from './fleet-spec.js';
import { keyedRandom } from './seeded-random.js';

/** Faults that refuse a request before its limits are looked at. */
const BEFORE_ADMISSION = new Set<FaultKind>(['outage', 'busy']);
const STREAM_ONLY = new Set<FaultKind>(['sse-error']);

export interface FaultContext {
  /** 1-based number of this request at this provider. */
  requestNumber: number;
  contentHash: number;
  /** How many times this exact request was seen before at this provider. */
  occurrence: number;
  model: SimModel;
  /** Fleet ms since the fleet started. */
  elapsedMs: number;
  isStream: boolean;
}

export class FaultPlan {
  constructor(
    private readonly provider: SimProvider,
    private readonly seed: number,
  ) {}

  /** The share of each advertised limit really enforced (lower-limits fault), 1 when none. */
  limitFactor(): number {
    return this.provider.faults.reduce(
      (factor, f) => (f.kind === 'lower-limits' ? Math.min(factor, f.factor ?? 1) : factor),
      1,
    );
  }

  pick(phase: 'before' | 'after', context: FaultContext): SimFault | undefined {
    const faults = this.provider.faults;
    for (let index = 0; index < faults.length; index++) {
      const fault = faults[index] as SimFault;
      if (fault.kind === 'lower-limits' || BEFORE_ADMISSION.has(fault.kind) !== (phase === 'before')) continue;
      if (STREAM_ONLY.has(fault.kind) && !context.isStream) continue;
      if (fault.models && !fault.models.includes(context.model.id) && !fault.models.includes(context.model.upstreamId))
        continue;
      if (this.applies(fault, index, context)) return fault;
    }
    return undefined;
  }

  private applies(fault: SimFault, index: number, context: FaultContext): boolean {
    const timed = fault.fromMs !== undefined || fault.untilMs !== undefined;
    if (timed && (context.elapsedMs < (fault.fromMs ?? 0) || context.elapsedMs >= (fault.untilMs ?? Infinity)))
      return false;
    if (fault.at?.includes(context.requestNumber)) return true;
    if (fault.every !== undefined && context.requestNumber % fault.every === 0) return true;
    if (fault.rate !== undefined) {
      return keyedRandom(this.seed, this.provider.id, index, context.contentHash, context.occurrence)() < fault.rate;
    }
    // A fault given only a period applies to everything inside it.
    return timed && !fault.at && fault.every === undefined;
  }
}
