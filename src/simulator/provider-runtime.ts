/**
 * One simulated provider's state: its limits, fault plan, request counters and stats, and the
 * per-request decisions that need them (who is this key, which fault, how long to wait). The HTTP
 * side lives in provider-server.ts; this file never writes to a socket.
 */
import type { FleetClock } from './fleet-clock.js';
import type { SimLatency, SimModel, SimProvider } from './fleet-spec.js';
import { FaultPlan, type FaultContext } from './fault-plan.js';
import { LimitAudit } from './limit-audit.js';
import { ProviderLimits } from './provider-limits.js';
import { StatsRecorder } from './fleet-stats.js';
import { keyedRandom } from './seeded-random.js';

export class ProviderRuntime {
  readonly audit = new LimitAudit();
  readonly stats = new StatsRecorder();
  readonly faults: FaultPlan;
  limits: ProviderLimits;
  private readonly keys: Set<string>;
  private readonly modelsByUpstreamId: Map<string, SimModel>;
  private requestCount = 0;
  private seen = new Map<number, number>();
  /** Precomputed /v1/models body. */
  readonly modelList: string;

  constructor(
    readonly provider: SimProvider,
    readonly clock: FleetClock,
    readonly seed: number,
  ) {
    this.faults = new FaultPlan(provider, seed);
    this.limits = new ProviderLimits(provider, clock, this.audit, this.faults.limitFactor());
    this.keys = new Set(provider.keys);
    this.modelsByUpstreamId = new Map(provider.models.map((m) => [m.upstreamId, m]));
    this.modelList = JSON.stringify({
      object: 'list',
      data: provider.models.map((m) => ({
        id: m.upstreamId,
        object: 'model',
        created: 1_735_689_600,
        owned_by: provider.id,
        context_window: m.contextWindow,
      })),
    });
  }

  /** Whether any of the headers carries one of this provider's keys; returns the key. */
  authenticate(headers: Record<string, string | string[] | undefined>): string | undefined {
    const authorization = headers.authorization;
    let key: string | undefined;
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) key = authorization.slice(7).trim();
    key ??= [headers['x-api-key'], headers['x-goog-api-key']].find((h): h is string => typeof h === 'string');
    return key !== undefined && this.keys.has(key) ? key : undefined;
  }

  model(upstreamId: unknown): SimModel | undefined {
    return typeof upstreamId === 'string' ? this.modelsByUpstreamId.get(upstreamId) : undefined;
  }

  /** Counts the request and returns what fault decisions are keyed on. */
  nextRequest(contentHash: number, model: SimModel, isStream: boolean): FaultContext {
    this.requestCount += 1;
    const occurrence = this.seen.get(contentHash) ?? 0;
    this.seen.set(contentHash, occurrence + 1);
    return {
      requestNumber: this.requestCount,
      contentHash,
      occurrence,
      model,
      elapsedMs: this.clock.elapsed(),
      isStream,
    };
  }

  /** Seeded latency of one request: time to first token and ms per further token, in fleet ms. */
  latency(latency: SimLatency, context: FaultContext): { ttftMs: number; perTokenMs: number } {
    const random = keyedRandom(this.seed, this.provider.id, 'latency', context.contentHash, context.occurrence);
    const noise = () => 1 + latency.jitter * (2 * random() - 1);
    const ttftMs = latency.ttftMs * noise();
    const perTokenMs = latency.tokensPerSecond > 0 ? (1000 / latency.tokensPerSecond) * noise() : 0;
    return { ttftMs, perTokenMs };
  }

  reset(): void {
    this.audit.clear();
    this.stats.clear();
    this.limits = new ProviderLimits(this.provider, this.clock, this.audit, this.faults.limitFactor());
    this.requestCount = 0;
    this.seen = new Map();
  }
}
