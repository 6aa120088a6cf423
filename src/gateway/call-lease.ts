/**
 * The call lease: one admitted upstream call, from the reservation admission took for it to its one
 * ending. Whoever holds the lease ends it exactly once, with `succeed`, `fail` or `abandon`, and the
 * lease does every piece of bookkeeping that ending implies: the ledger's settle (and its rate-limit
 * signal), the concurrency slot, the breaker, a refused key, the latency predictor and adaptive
 * timeouts, the upstream-call metrics. Nobody else settles a reservation. A second ending is a
 * programming error and throws. The lease never calls a provider and never decides where a request
 * goes next: the attempt (upstream-attempt.ts) and dispatch do.
 *
 * Each upstream attempt (a hedge included) has its own lease: a trace span per attempt opens with
 * the lease and closes with its ending.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { isFreewayError, type FreewayError } from '../core/errors.js';
import type { RateLimitSignal } from '../core/rate-limit-signal.js';
import { UpstreamFailureError, type UpstreamFailure } from '../core/upstream-failure.js';
import { isDropCode, type AdmissionQueue, type ConcurrencyLimiter, type QuotaLedger, type ReleaseOutcome, type Reservation, type SettleOutcome } from '../quota/index.js';
import type { BreakerRegistry, DisabledKeys } from '../resilience/index.js';
import { bucketsFor } from './buckets.js';
import { readUsage } from './call-usage.js';

/** A successful call as the predictor, timeouts and metrics see it. */
export interface CallObservation {
  promptTokens: number;
  outputTokens: number;
  ttftMs: number;
  totalMs: number;
  /** The request's kind of task (routing's features), for the output-length model. */
  taskKind?: string;
}

export interface CallSuccess {
  /** The provider's `usage`, unchecked: sound counts are used, anything else falls back to the estimates. */
  usage: unknown;
  /** Until response headers (JSON) or the first content chunk (streams), in ms. */
  ttftMs: number;
  totalMs: number;
  /** Output tokens to assume when usage does not say (a stream's chunk count); 0 by default. */
  outputTokensEstimate?: number;
}

export interface AbandonOptions {
  /**
   * true: the call never counted at the provider, or lost a hedge race (request and tokens refunded).
   * false (default): the client left while the provider worked, so the request stays charged.
   */
  refund?: boolean;
}

export interface CallLease {
  readonly deployment: Deployment;
  /** Clock ms when quota was reserved, just before the call went out. */
  readonly openedAt: number;
  /**
   * The provider answered and the answer may start flowing (for streams: the first content chunk is
   * in hand). Feeds its rate-limit signal to the ledger and closes a probing breaker. Called once, by
   * the attempt, for the call that answers; the lease stays open until its ending.
   */
  answered(signal: RateLimitSignal): Promise<void>;
  /** The whole answer arrived: settle on real usage and teach the predictor, timeouts and metrics. */
  succeed(outcome: CallSuccess): Promise<void>;
  /**
   * The call failed: classify it (scrubbing the key), feed its signal to the ledger, settle (refunding
   * a request the provider never counted), tell the breaker and metrics, take a refused key out of
   * service. Resolves with the classified error; an error that is neither upstream nor Freeway's is
   * rethrown once the reservation is settled.
   */
  fail(error: unknown): Promise<FreewayError>;
  /** Nobody waits for the answer any more (client gone, hedge lost): settle without a verdict on the deployment. */
  abandon(options?: AbandonOptions): Promise<void>;
}

export interface CallLeaseDeps {
  clock: Clock;
  ledger: QuotaLedger;
  /** Woken after each settle: capacity may have returned. */
  queue: Pick<AdmissionQueue, 'notify'>;
  breakers: BreakerRegistry;
  disabledKeys: DisabledKeys;
  /** Classifies a failed call on `deployment`, scrubbing its key from any message. */
  classify(failure: UpstreamFailure, deployment: Deployment): FreewayError;
  /** Feeds a successful call's latency to the predictor and the adaptive timeouts. */
  observeLatency(deployment: Deployment, observation: CallObservation): void;
  /** A call cut off waiting for its first byte after `waitedMs`: its latency was at least that. */
  observeTimeout(deployment: Deployment, waitedMs: number): void;
  /** Optional: told when each attempt's lease opens and ends (trace spans per upstream attempt). */
  listener?: LeaseListener;
  telemetry: {
    upstreamSucceeded(deployment: Deployment, observation: CallObservation): void;
    upstreamFailed(deployment: Deployment, error: FreewayError, elapsedMs: number): void;
  };
}

export type LeaseEnding = 'succeeded' | 'failed' | 'abandoned';

export interface LeaseListener {
  opened(lease: CallLease): void;
  /** `error`: the classified failure, for a failed call. */
  ended(lease: CallLease, ending: LeaseEnding, error?: FreewayError): void;
}

export interface LeaseTerms {
  deployment: Deployment;
  reservation: Reservation;
  /** The adaptive concurrency slot taken with it, for providers that publish no limits. */
  concurrency: ConcurrencyLimiter | undefined;
  /** The gateway's prompt estimate, for the predictor when usage does not say. */
  promptTokens: number;
  taskKind?: string;
}

export type OpenLease = (terms: LeaseTerms) => CallLease;

/** Builds leases sharing `deps`; reserve-first opens one per reservation it takes. */
export function createCallLeases(deps: CallLeaseDeps): OpenLease {
  return (terms) => new Lease(deps, terms);
}

/** A class, not a closure bundle: one small object per call on the hot path. */
class Lease implements CallLease {
  readonly deployment: Deployment;
  readonly openedAt: number;
  private ending: LeaseEnding | undefined;
  private isAnswered = false;

  constructor(
    private readonly deps: CallLeaseDeps,
    private readonly terms: LeaseTerms,
  ) {
    this.deployment = terms.deployment;
    this.openedAt = deps.clock.now();
    deps.listener?.opened(this);
  }

  async answered(signal: RateLimitSignal): Promise<void> {
    if (this.isAnswered || this.ending) throw new Error(`call lease on ${this.deployment.id}: answered twice or after its end`);
    this.isAnswered = true;
    await this.deps.ledger.observe(bucketsFor(this.deployment), signal, this.terms.reservation);
    this.deps.breakers.recordSuccess(this.deployment.id);
  }

  async succeed(outcome: CallSuccess): Promise<void> {
    this.end('succeeded');
    const usage = readUsage(outcome.usage);
    // Without a sound total the reservation stands: the ledger charges what was reserved.
    await this.settle(usage?.totalTokens === undefined ? { requestCharged: true } : { tokens: usage.totalTokens, requestCharged: true }, 'success');
    const observation: CallObservation = {
      promptTokens: usage?.promptTokens ?? this.terms.promptTokens,
      outputTokens: usage?.completionTokens ?? outcome.outputTokensEstimate ?? 0,
      ttftMs: outcome.ttftMs,
      totalMs: outcome.totalMs,
      ...(this.terms.taskKind !== undefined ? { taskKind: this.terms.taskKind } : {}),
    };
    this.deps.observeLatency(this.deployment, observation);
    this.deps.telemetry.upstreamSucceeded(this.deployment, observation);
    this.deps.listener?.ended(this, 'succeeded');
  }

  async fail(error: unknown): Promise<FreewayError> {
    this.end('failed');
    const { deps, deployment } = this;
    if (!(error instanceof UpstreamFailureError)) {
      deps.breakers.recordAbandoned(deployment.id);
      await this.settle({ requestCharged: false }, 'ignore');
      deps.listener?.ended(this, 'failed', isFreewayError(error) ? error : undefined);
      if (isFreewayError(error)) return error;
      throw error;
    }
    const raw = error.failure;
    const failure = deps.classify(raw, deployment);
    if (raw.kind === 'http') await deps.ledger.observe(bucketsFor(deployment), raw.signal, this.terms.reservation);
    // A request the provider turned away at the door was not counted by it; anything that reached a model was.
    const requestCharged = !(raw.kind === 'network' && raw.code === 'ECONNREFUSED');
    await this.settle({ requestCharged }, isDropCode(failure.code) ? 'drop' : 'ignore');
    if (failure.code === 'upstream_auth_failed') deps.disabledKeys.disable(deployment, failure.message);
    deps.breakers.recordFailure(deployment.id, failure);
    const elapsedMs = deps.clock.now() - this.openedAt;
    if (raw.kind === 'timeout' && raw.phase === 'first-byte') deps.observeTimeout(deployment, elapsedMs);
    deps.telemetry.upstreamFailed(deployment, failure, elapsedMs);
    deps.listener?.ended(this, 'failed', failure);
    return failure;
  }

  async abandon(options: AbandonOptions = {}): Promise<void> {
    this.end('abandoned');
    this.deps.breakers.recordAbandoned(this.deployment.id);
    await this.settle(options.refund ? { requestCharged: false, tokens: 0 } : { requestCharged: true }, 'ignore');
    this.deps.listener?.ended(this, 'abandoned');
  }

  private end(ending: LeaseEnding): void {
    if (this.ending) throw new Error(`call lease on ${this.deployment.id} ${this.ending} already; it cannot be ${ending} as well`);
    this.ending = ending;
  }

  private async settle(outcome: SettleOutcome, concurrency: ReleaseOutcome): Promise<void> {
    this.terms.concurrency?.release(concurrency);
    await this.deps.ledger.settle(this.terms.reservation, outcome);
    this.deps.queue.notify();
  }
}
