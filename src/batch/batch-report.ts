/**
 * What the batches look like from outside: the `batches` section of /v1/freeway/state (counts,
 * rate and ETA from the pooled quota's capacity, not from elapsed time) and the autoscaling gauges
 * on /metrics (runnable backlog, lines waiting on quota, in flight, done, failed, oldest line age,
 * per active batch and in total). Read-only: it never changes a batch.
 */
import { Gauge, Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Gateway, JsonBody } from '../gateway/types.js';
import type { BatchStore } from './batch-store.js';
import type { BatchObject, LineCounts } from './batch-types.js';
import { readQuotaCapacity, type QuotaCapacity } from './quota-capacity.js';

export interface BatchSummary {
  batch: BatchObject;
  counts: LineCounts;
  /** Lines waiting that the quota could serve now. */
  runnable: number;
  waitingOnQuota: number;
  ratePerMinute: number | null;
  etaSeconds: number | null;
  oldestAgeSeconds: number;
}

export interface BatchReportOptions {
  store: BatchStore;
  gateway: Gateway;
  clock: Clock;
}

/** Summaries of the batches still running, each given an even share of the pooled capacity. */
export async function summarizeBatches(options: BatchReportOptions): Promise<BatchSummary[]> {
  const { store, clock } = options;
  const ids = await store.activeBatchIds();
  if (ids.length === 0) return [];
  const capacity: QuotaCapacity = await readQuotaCapacity(options.gateway);
  const now = clock.now();
  const summaries: BatchSummary[] = [];
  let availableLeft = capacity.availableNow ?? Infinity;
  for (const id of ids) {
    const batch = await store.getBatch(id);
    if (!batch) continue;
    const counts = await store.counts(id, now);
    const due = counts.pending - counts.deferred;
    const runnable = Math.max(0, Math.min(due, availableLeft));
    availableLeft -= runnable;
    const ratePerMinute = capacity.requestsPerMinute === null ? null : capacity.requestsPerMinute / ids.length;
    const left = counts.pending + counts.leased;
    summaries.push({
      batch,
      counts,
      runnable,
      waitingOnQuota: counts.pending - runnable,
      ratePerMinute,
      etaSeconds: ratePerMinute && ratePerMinute > 0 ? Math.ceil((left / ratePerMinute) * 60) : left === 0 ? 0 : null,
      oldestAgeSeconds: counts.oldestPendingAt === null ? 0 : Math.max(0, (now - counts.oldestPendingAt) / 1000),
    });
  }
  return summaries;
}

/** The `batches` section of /v1/freeway/state, in the shape agreed for the dashboard. */
export function stateSection(summaries: readonly BatchSummary[]): JsonBody[] {
  return summaries.map((s) => ({
    id: s.batch.id,
    status: s.batch.status,
    endpoint: s.batch.endpoint,
    created_at: s.batch.created_at,
    request_counts: s.batch.request_counts,
    waiting_on_quota: s.waitingOnQuota,
    in_flight: s.counts.leased,
    rate_per_minute: s.ratePerMinute === null ? null : Math.round(s.ratePerMinute * 10) / 10,
    eta_seconds: s.etaSeconds,
    expires_at: s.batch.expires_at,
  }));
}

const FINISHED = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** The newest finished batches (up to `limit`), for the state section after the running ones. */
export async function recentlyFinished(store: BatchStore, limit = 10): Promise<JsonBody[]> {
  const page = await store.listBatches(undefined, limit * 2);
  return page.data
    .filter((batch) => FINISHED.has(batch.status))
    .slice(0, limit)
    .map((batch) => ({ id: batch.id, status: batch.status, endpoint: batch.endpoint, created_at: batch.created_at, request_counts: batch.request_counts, waiting_on_quota: 0, in_flight: 0, rate_per_minute: null, eta_seconds: 0, expires_at: batch.expires_at }));
}

const PER_BATCH = [
  ['runnable_lines', 'Batch lines waiting that the pooled quota could serve now', (s: BatchSummary) => s.runnable],
  ['waiting_on_quota_lines', 'Batch lines waiting for quota to return', (s: BatchSummary) => s.waitingOnQuota],
  ['in_flight_lines', 'Batch lines leased to a gateway or worker', (s: BatchSummary) => s.counts.leased],
  ['done_lines', 'Batch lines answered successfully', (s: BatchSummary) => s.counts.completed],
  ['failed_lines', 'Batch lines written to the error file', (s: BatchSummary) => s.counts.failed],
  ['oldest_line_age_seconds', 'Age of the oldest unfinished batch line', (s: BatchSummary) => s.oldestAgeSeconds],
] as const;

/** Prometheus text: `freeway_batch_<name>{batch}` per active batch and `freeway_batches_<name>` in total. */
export async function renderBatchMetrics(summaries: readonly BatchSummary[]): Promise<string> {
  const registry = new Registry();
  for (const [name, help, read] of PER_BATCH) {
    const perBatch = new Gauge({ name: `freeway_batch_${name}`, help, labelNames: ['batch'], registers: [registry] });
    const total = new Gauge({ name: `freeway_batches_${name}`, help: `${help}, over all active batches`, registers: [registry] });
    let sum = 0;
    for (const s of summaries) {
      perBatch.set({ batch: s.batch.id }, read(s));
      sum = name === 'oldest_line_age_seconds' ? Math.max(sum, read(s)) : sum + read(s);
    }
    total.set(sum);
  }
  return registry.metrics();
}
