/**
 * Retry budgets per provider, after Finagle's RetryBudget and Envoy's retry_budget: every first
 * call to a provider deposits `ratio` of a token, every retry withdraws a whole one, plus a small
 * floor of `minRetries` per window; deposits and withdrawals expire after `windowMs`. So during an
 * outage retries stay under ~20% of the traffic instead of multiplying it. It only counts; it
 * never sleeps, and it never decides what a retry is (failover and hedging do, and ask it).
 *
 *   new RetryBudget({ clock, ratio?: 0.2, minRetries?: 5, windowMs?: 10_000 })
 *     .recordRequest(providerId)   a first call (not a retry) was made
 *     .tryRetry(providerId)        true and withdraws one token when a retry (or a hedge) may go
 *     .available(providerId)       whole retries left now;   .snapshot()
 */
import type { Clock } from '../core/clock.js';

export interface RetryBudgetOptions {
  clock: Clock;
  /** Retries allowed per first call. Default 0.2. */
  ratio?: number;
  /** Retries always allowed per window, so a quiet provider can still retry. Default 5. */
  minRetries?: number;
  /** How long deposits and withdrawals count. Default 10 s. */
  windowMs?: number;
}

export interface RetryBudgetSnapshot {
  providerId: string;
  requests: number;
  retries: number;
  available: number;
}

const BUCKETS = 10;

/** Counts per time slice, so expiry is O(buckets) and memory stays constant under any load. */
class SlidingCounts {
  private readonly slices: { start: number; requests: number; retries: number }[] = [];

  constructor(private readonly sliceMs: number) {}

  add(now: number, field: 'requests' | 'retries'): void {
    const start = now - (now % this.sliceMs);
    let last = this.slices[this.slices.length - 1];
    if (!last || last.start !== start) this.slices.push((last = { start, requests: 0, retries: 0 }));
    last[field] += 1;
  }

  totals(now: number): { requests: number; retries: number } {
    const oldest = now - this.sliceMs * BUCKETS;
    while (this.slices.length > 0 && (this.slices[0]?.start ?? 0) <= oldest) this.slices.shift();
    let requests = 0;
    let retries = 0;
    for (const slice of this.slices) {
      requests += slice.requests;
      retries += slice.retries;
    }
    return { requests, retries };
  }
}

export class RetryBudget {
  private readonly clock: Clock;
  private readonly ratio: number;
  private readonly minRetries: number;
  private readonly sliceMs: number;
  private readonly providers = new Map<string, SlidingCounts>();

  constructor(options: RetryBudgetOptions) {
    this.clock = options.clock;
    this.ratio = options.ratio ?? 0.2;
    this.minRetries = options.minRetries ?? 5;
    this.sliceMs = Math.max(1, Math.round((options.windowMs ?? 10_000) / BUCKETS));
  }

  recordRequest(providerId: string): void {
    this.counts(providerId).add(this.clock.now(), 'requests');
  }

  tryRetry(providerId: string): boolean {
    if (this.available(providerId) < 1) return false;
    this.counts(providerId).add(this.clock.now(), 'retries');
    return true;
  }

  available(providerId: string): number {
    const { requests, retries } = this.counts(providerId).totals(this.clock.now());
    return Math.max(0, Math.floor(this.minRetries + this.ratio * requests - retries));
  }

  snapshot(): RetryBudgetSnapshot[] {
    return [...this.providers.keys()].map((providerId) => {
      const { requests, retries } = this.counts(providerId).totals(this.clock.now());
      return { providerId, requests, retries, available: this.available(providerId) };
    });
  }

  private counts(providerId: string): SlidingCounts {
    let found = this.providers.get(providerId);
    if (!found) this.providers.set(providerId, (found = new SlidingCounts(this.sliceMs)));
    return found;
  }
}
