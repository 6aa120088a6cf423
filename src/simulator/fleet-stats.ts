/**
 * Honest bookkeeping for GET /_sim/stats: per provider and per model, what was accepted, what was
 * refused and by which limit, which faults were injected, how many tokens were served, and the
 * audit's verdict (violations, maxOverLimit) proving nothing was served over a limit.
 */

export interface UsageCounters {
  /** Requests admitted past every limit (faulted ones included). */
  accepted: number;
  /** 429s sent because a limit was spent. */
  rejected: number;
  /** 429s (and 413s) by limit label, e.g. `model:tokens/minute`. */
  rejectedByLimit: Record<string, number>;
  /** Requests refused as malformed or too large (400, 404, 413). */
  invalid: number;
  faults: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  /** Requests that completed with a full answer. */
  completed: number;
}

export interface ProviderStats extends UsageCounters {
  unauthorized: number;
  /** Admissions the independent audit found over a limit: 0 unless the fleet itself is broken. */
  violations: number;
  /** The largest excess the audit saw, in the limit's units. */
  maxOverLimit: number;
  models: Record<string, UsageCounters>;
}

export interface FleetStats {
  providers: Record<string, ProviderStats>;
  violations: number;
  maxOverLimit: number;
}

export const emptyCounters = (): UsageCounters => ({
  accepted: 0,
  rejected: 0,
  rejectedByLimit: {},
  invalid: 0,
  faults: {},
  promptTokens: 0,
  completionTokens: 0,
  completed: 0,
});

/** Applies one change to a provider's counters and to its model's. */
export class StatsRecorder {
  private counters = emptyCounters();
  private models = new Map<string, UsageCounters>();
  unauthorized = 0;

  private both(modelId: string, change: (c: UsageCounters) => void): void {
    change(this.counters);
    let model = this.models.get(modelId);
    if (!model) {
      model = emptyCounters();
      this.models.set(modelId, model);
    }
    change(model);
  }

  accepted(modelId: string): void {
    this.both(modelId, (c) => (c.accepted += 1));
  }

  rejected(modelId: string, label: string, isRateLimit: boolean): void {
    this.both(modelId, (c) => {
      if (isRateLimit) c.rejected += 1;
      else c.invalid += 1;
      c.rejectedByLimit[label] = (c.rejectedByLimit[label] ?? 0) + 1;
    });
  }

  invalid(modelId: string): void {
    this.both(modelId, (c) => (c.invalid += 1));
  }

  fault(modelId: string, kind: string): void {
    this.both(modelId, (c) => (c.faults[kind] = (c.faults[kind] ?? 0) + 1));
  }

  served(modelId: string, promptTokens: number, completionTokens: number, completed: boolean): void {
    this.both(modelId, (c) => {
      c.promptTokens += promptTokens;
      c.completionTokens += completionTokens;
      if (completed) c.completed += 1;
    });
  }

  snapshot(audit: { violations: number; maxOverLimit: number }): ProviderStats {
    const copy = (c: UsageCounters): UsageCounters => ({
      ...c,
      rejectedByLimit: { ...c.rejectedByLimit },
      faults: { ...c.faults },
    });
    return {
      ...copy(this.counters),
      unauthorized: this.unauthorized,
      violations: audit.violations,
      maxOverLimit: audit.maxOverLimit,
      models: Object.fromEntries([...this.models].map(([id, c]) => [id, copy(c)])),
    };
  }

  clear(): void {
    this.counters = emptyCounters();
    this.models.clear();
    this.unauthorized = 0;
  }
}
