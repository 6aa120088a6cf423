/**
 * How many output tokens to plan for when a request sets no max_tokens. `fixed` is the old rule
 * (1,024, or the model's cap when smaller). `predicted` uses the observed p95 completion length of
 * this model on this kind of task once it has `minSamples` of them (before that, 1,024 raised to the
 * longest answer seen), so a one-word classification
 * stops holding 1,024 tokens of a tokens-per-minute window and a long essay stops overshooting it.
 *
 * Providers that charge `max_tokens` at admission (OpenAI, Cerebras: provider-signals.md) count the
 * cap, not the answer. There Freeway sends a cap of max(2 × p95, 1.5 × p99) of the observed lengths:
 * with at least `minSamples` observations, an answer beyond twice the 95th percentile and half again
 * the 99th is rare enough (under 1% by construction, far less for the usual long-tailed length
 * distributions) that stopping for length almost never happens, while the reservation stays a small
 * multiple of what answers really use rather than the model's full output window.
 */
import type { Deployment } from '../core/deployment.js';
import type { OutputLengths } from './output-lengths.js';

export const FIXED_OUTPUT_RESERVATION = 1024;
const minSamples = 10;
const minBudget = 16;
const minCap = 64;

export type OutputBudgetMode = 'predicted' | 'fixed';

/**
 * Whether the provider counts max_tokens when it admits a call (OpenAI, Cerebras) rather than the
 * output once written (Groq and the rest): the simulator's `admission: reserve | usage` default.
 */
export const chargesAtAdmission = (d: Deployment): boolean => d.dialect === 'openai' || d.dialect === 'cerebras';

export class OutputBudget {
  constructor(
    private readonly lengths: OutputLengths,
    private readonly mode: OutputBudgetMode,
  ) {}

  /** Output tokens to reserve on `deployment` for a request of `kind` that set no max_tokens. */
  reserve(deployment: Deployment, kind: string): number {
    const fixed = Math.min(deployment.model.maxOutputTokens ?? FIXED_OUTPUT_RESERVATION, FIXED_OUTPUT_RESERVATION);
    if (this.mode === 'fixed') return fixed;
    if (chargesAtAdmission(deployment)) return this.cap(deployment, kind) ?? fixed;
    const longest = this.lengths.quantile(deployment.model.id, kind, 1);
    if (longest === undefined) return fixed;
    // Few samples: the old reservation, raised to the longest answer seen, never lowered on thin evidence.
    const planned = this.enough(deployment, kind) ? (this.lengths.quantile(deployment.model.id, kind, 0.95) ?? fixed) : Math.max(fixed, longest);
    return Math.min(deployment.model.maxOutputTokens ?? Infinity, Math.max(minBudget, planned));
  }

  /** The max_tokens to send where the provider charges it at admission; undefined: send none. */
  cap(deployment: Deployment, kind: string): number | undefined {
    if (this.mode === 'fixed' || !chargesAtAdmission(deployment) || !this.enough(deployment, kind)) return undefined;
    const p95 = this.lengths.quantile(deployment.model.id, kind, 0.95) ?? 0;
    const p99 = this.lengths.quantile(deployment.model.id, kind, 0.99) ?? 0;
    const cap = Math.max(minCap, 2 * p95, Math.ceil(1.5 * p99));
    return Math.min(deployment.model.maxOutputTokens ?? cap, cap);
  }

  private enough(deployment: Deployment, kind: string): boolean {
    return this.lengths.samples(deployment.model.id, kind) >= minSamples;
  }
}
