/**
 * Admission against every limit a request counts towards at one provider: the provider-wide limits
 * and the model's own, per scope (a key alone, or the whole organisation/project/account). Tokens are
 * reserved as prompt + max_tokens where the provider does so, else the prompt is counted at admission
 * and the output afterwards. Every admitted unit is also shown to the independent LimitAudit.
 */
import type { FleetClock } from './fleet-clock.js';
import type { SimLimit, SimModel, SimProvider } from './fleet-spec.js';
import { LimitBucket } from './limit-bucket.js';
import type { LimitAudit } from './limit-audit.js';

export interface LimitView {
  limit: SimLimit;
  /** The amount really enforced. */
  amount: number;
  level: 'provider' | 'model';
  /** Stable name used in stats, e.g. `requests/minute` or `model:tokens/minute`. */
  label: string;
  remaining: number;
  /** Ms until the limit is full again. */
  resetMs: number;
}

export interface Rejection {
  view: LimitView;
  /** Ms until this request would fit; Infinity when it never can. */
  retryMs: number;
  requested: number;
}

interface Charge {
  id: string;
  bucket: LimitBucket;
  units: number;
}

export interface Admission {
  charges: Charge[];
  promptTokens: number;
  reservedOutput: number;
}

export type AdmissionResult = { ok: true; admission: Admission } | { ok: false; rejection: Rejection };

export class ProviderLimits {
  private buckets = new Map<string, LimitBucket>();

  constructor(
    private readonly provider: SimProvider,
    private readonly clock: FleetClock,
    private readonly audit: LimitAudit,
    /** The enforced share of every advertised limit (a lower-limits fault). */
    private readonly factor = 1,
  ) {}

  private scopeOf(key: string): string {
    return this.provider.scope === 'key' ? key : this.provider.scope;
  }

  private entries(key: string, model: SimModel): { id: string; bucket: LimitBucket; level: 'provider' | 'model' }[] {
    const scope = this.scopeOf(key);
    const now = this.clock.now();
    const list: { id: string; bucket: LimitBucket; level: 'provider' | 'model' }[] = [];
    const add = (limits: SimLimit[], level: 'provider' | 'model', prefix: string) => {
      limits.forEach((limit, index) => {
        const id = `${prefix}#${index}`;
        let bucket = this.buckets.get(id);
        if (!bucket) {
          bucket = new LimitBucket(limit, Math.max(1, Math.floor(limit.amount * this.factor)), now);
          this.buckets.set(id, bucket);
        }
        list.push({ id, bucket, level });
      });
    };
    add(this.provider.limits, 'provider', `${scope}`);
    add(model.limits, 'model', `${scope}|${model.upstreamId}`);
    return list;
  }

  private view(bucket: LimitBucket, level: 'provider' | 'model', now: number): LimitView {
    const { limit } = bucket;
    return {
      limit,
      amount: bucket.amount,
      level,
      label: `${level === 'model' ? 'model:' : ''}${limit.unit}/${limit.per}`,
      remaining: Math.floor(bucket.remaining(now)),
      resetMs: bucket.msUntilFull(now),
    };
  }

  /** Every limit that applies to (key, model), as it stands now: what success headers report. */
  views(key: string, model: SimModel): LimitView[] {
    const now = this.clock.now();
    return this.entries(key, model).map(({ bucket, level }) => this.view(bucket, level, now));
  }

  admit(key: string, model: SimModel, promptTokens: number, maxTokens: number): AdmissionResult {
    const now = this.clock.now();
    const reserve = this.provider.admission === 'reserve';
    const tokenCost = reserve ? promptTokens + maxTokens : promptTokens;
    const entries = this.entries(key, model);
    let worst: Rejection | undefined;
    for (const { bucket, level } of entries) {
      const units = bucket.limit.unit === 'requests' ? 1 : tokenCost;
      // Output counted afterwards can leave a token bucket below zero: nothing more until it climbs back.
      const needed = bucket.limit.unit === 'tokens' && !reserve ? Math.max(units, 1) : units;
      const retryMs = bucket.msUntil(needed, now);
      if (retryMs > 0 && (!worst || retryMs > worst.retryMs)) {
        worst = { view: this.view(bucket, level, now), retryMs, requested: units };
      }
    }
    if (worst) return { ok: false, rejection: worst };
    const charges: Charge[] = entries.map(({ id, bucket }) => ({
      id,
      bucket,
      units: bucket.limit.unit === 'requests' ? 1 : tokenCost,
    }));
    for (const charge of charges) {
      charge.bucket.take(charge.units, now);
      this.audit.record(charge.id, charge.bucket.limit, charge.bucket.amount, charge.units, now);
    }
    return { ok: true, admission: { charges, promptTokens, reservedOutput: reserve ? maxTokens : 0 } };
  }

  /** Counts what was really generated: refunds the unused reservation, or charges output afterwards. */
  settle(admission: Admission, completionTokens: number): void {
    const now = this.clock.now();
    for (const charge of admission.charges) {
      if (charge.bucket.limit.unit !== 'tokens') continue;
      if (admission.reservedOutput > 0) {
        const unused = Math.max(0, admission.reservedOutput - completionTokens);
        charge.bucket.give(unused, now);
        this.audit.record(charge.id, charge.bucket.limit, charge.bucket.amount, -unused, now);
      } else if (completionTokens > 0) {
        charge.bucket.take(completionTokens, now);
      }
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}
