/**
 * Runs batch lines through the gateway's own path (routing, cache, single-flight, quota admission,
 * failover) at the batch's priority, a bounded number at a time. Lines are leased from the store
 * and renewed while in flight, so a crashed process's lines return to the pool when their lease
 * ends; every outcome is settled once by (batch, custom_id). Waiting for quota is the gateway's
 * admission queue's job (each line may wait up to the batch's expiry), so the engine never spins.
 * It also closes batches: finalizing the output and error files, cancelling, expiring.
 * It never parses input files and never talks HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { FreewayError, toFreewayError } from '../core/errors.js';
import type { Gateway, Priority } from '../gateway/types.js';
import type { BatchStore } from './batch-store.js';
import type { BatchObject, ClaimedLine, SettledLine } from './batch-types.js';
import { finalizeBatch } from './finalize-batch.js';
import { resultId } from './parse-batch-input.js';

export interface BatchEngineOptions {
  store: BatchStore;
  gateway: Gateway;
  clock: Clock;
  /** Lines in flight at once in this process. */
  concurrency: number;
  leaseMs: number;
  /** Priority of lines whose batch has no metadata.priority. */
  defaultPriority?: Priority;
  /** How often to look for work nobody told this process about (other processes, deferred lines), in clock ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

type StopReason = 'shutdown' | 'cancelled' | 'expired';

interface InFlight {
  batchId: string;
  customId: string;
  controller: AbortController;
  reason?: StopReason;
  done: Promise<void>;
}

const PRIORITIES = new Set<string>(['high', 'normal', 'low']);
const RETRY_FLOOR_MS = 1_000;
const RETRY_CEILING_MS = 60_000;

/** Whether a refusal may succeed later (quota, an outage) rather than being the request's own fault. */
export const isRetryableLater = (error: FreewayError): boolean => error.status === 429 || (error.status >= 500 && error.code !== 'internal_error');

export class BatchEngine {
  readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly pollMs: number;
  private wake = new AbortController();
  private isStopping = false;
  private loop: Promise<void> | undefined;
  private lastRenewAt = 0;
  private readonly closing = new Set<string>();

  constructor(private readonly options: BatchEngineOptions) {
    // Often enough to renew leases well before they end.
    this.pollMs = options.pollMs ?? Math.min(1_000, options.leaseMs / 4);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Something changed (a new batch, a cancel, a line finished): look again now. */
  notify(): void {
    this.wake.abort();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Hands back every line in flight (unsettled, for another process or the next start) and stops. */
  async stop(): Promise<void> {
    this.isStopping = true;
    for (const entry of this.inFlight.values()) this.abortLine(entry, 'shutdown');
    this.notify();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()].map((e) => e.done));
  }

  private async run(): Promise<void> {
    while (!this.isStopping) {
      const wake = (this.wake = new AbortController());
      try {
        await this.tick();
      } catch (error) {
        this.options.log?.(`batch engine: ${error instanceof Error ? error.message : String(error)}; retrying`);
      }
      if (this.isStopping) break;
      await this.options.clock.sleep(this.pollMs, wake.signal).catch(() => {});
    }
  }

  private async tick(): Promise<void> {
    const { store, clock } = this.options;
    await this.renewLeases();
    for (const batchId of await store.activeBatchIds()) {
      if (this.isStopping) return;
      const batch = await store.getBatch(batchId, { withCounts: false });
      if (!batch) continue;
      const now = clock.now();
      if (batch.status === 'cancelling') await this.closeBatch(batch, 'cancelled');
      else if (batch.status === 'in_progress' && now >= batch.expires_at * 1000) await this.closeBatch(batch, 'expired');
      else if (batch.status === 'finalizing') await finalizeBatch(store, batch, 'completed', now);
      else if (batch.status === 'in_progress') await this.feed(batch, now);
    }
  }

  private async feed(batch: BatchObject, now: number): Promise<void> {
    const { store, leaseMs, concurrency } = this.options;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return;
    const claimed = await store.claimLines(batch.id, { owner: this.owner, limit: free, now, leaseUntil: now + leaseMs });
    for (const line of claimed) this.launch(batch, line);
    // Counting scans the batch: only worth it once nothing more could be claimed (the tail, or all deferred).
    if (claimed.length === free) return;
    const counts = await store.counts(batch.id, now);
    if (counts.pending + counts.leased === 0) {
      const finalizing: BatchObject = { ...batch, status: 'finalizing', finalizing_at: Math.floor(now / 1000) };
      await store.saveBatch(finalizing);
      await finalizeBatch(store, finalizing, 'completed', now);
    }
  }

  private launch(batch: BatchObject, line: ClaimedLine): void {
    const key = `${batch.id}\u0000${line.customId}`;
    const controller = new AbortController();
    const entry: InFlight = { batchId: batch.id, customId: line.customId, controller, done: Promise.resolve() };
    this.inFlight.set(key, entry);
    entry.done = this.runLine(batch, line, entry)
      .catch((error: unknown) => this.options.log?.(`batch ${batch.id} line ${line.line}: ${String(error)}`))
      .finally(() => {
        this.inFlight.delete(key);
        this.notify();
      });
  }

  private async runLine(batch: BatchObject, line: ClaimedLine, entry: InFlight): Promise<void> {
    const { store, gateway, clock } = this.options;
    const requestId = resultId();
    const expiresAtMs = batch.expires_at * 1000;
    const context = {
      requestId,
      priority: this.priorityOf(batch),
      maxWaitMs: Math.max(0, expiresAtMs - clock.now()),
      signal: entry.controller.signal,
    };
    try {
      const result = batch.endpoint === '/v1/embeddings' ? await gateway.embeddings(line.body, context) : await gateway.chat(line.body, context);
      if (result.kind !== 'json') throw new FreewayError('invalid_request', 'stream: true is not allowed in a batch');
      await this.settleDurably(batch.id, {
        key: line.customId,
        line: line.line,
        file: 'output',
        result: { id: requestId, custom_id: line.customId, response: { status_code: 200, request_id: requestId, body: result.body }, error: null },
      });
    } catch (thrown) {
      if (entry.reason === 'shutdown') {
        await store.releaseLine(batch.id, line.customId, { owner: this.owner, notBefore: 0, lastError: null, countsAsAttempt: false });
        return;
      }
      if (entry.reason) return; // cancelled or expired: the batch's closer writes this line's error
      const error = toFreewayError(thrown);
      const now = clock.now();
      if (isRetryableLater(error) && now < expiresAtMs) {
        const backoff = Math.min(RETRY_CEILING_MS, RETRY_FLOOR_MS * 2 ** Math.min(line.attempts, 6));
        const notBefore = now + Math.max(RETRY_FLOOR_MS, error.retryAfterMs ?? backoff);
        await store.releaseLine(batch.id, line.customId, { owner: this.owner, notBefore, lastError: `${error.code}: ${error.message}`, countsAsAttempt: true });
        return;
      }
      await this.settleDurably(batch.id, {
        key: line.customId,
        line: line.line,
        file: 'error',
        result: { id: requestId, custom_id: line.customId, response: { status_code: error.status, request_id: requestId, body: error.toBody() }, error: null },
      });
    }
  }

  /**
   * Writes a paid-for answer even through a store outage (Redis restarting): the result waits in
   * memory, the lease is kept renewed meanwhile, and the write is retried until it lands.
   */
  private async settleDurably(batchId: string, settled: SettledLine): Promise<void> {
    for (;;) {
      try {
        await this.options.store.settleLine(batchId, settled);
        return;
      } catch (error) {
        if (this.isStopping) throw error;
        this.options.log?.(`batch ${batchId}: could not store a result (${error instanceof Error ? error.message : String(error)}); retrying`);
        await this.options.clock.sleep(this.pollMs);
      }
    }
  }

  private priorityOf(batch: BatchObject): Priority {
    const wanted = batch.metadata?.['priority'];
    if (wanted !== undefined && PRIORITIES.has(wanted)) return wanted as Priority;
    return this.options.defaultPriority ?? 'low';
  }

  private abortLine(entry: InFlight, reason: StopReason): void {
    entry.reason ??= reason;
    entry.controller.abort(new FreewayError('client_closed', `batch line stopped: ${reason}`));
  }

  /** Cancel or expiry: stop this batch's lines, keep what finished, write the rest as errors. */
  private async closeBatch(batch: BatchObject, outcome: 'cancelled' | 'expired'): Promise<void> {
    if (this.closing.has(batch.id)) return;
    this.closing.add(batch.id);
    try {
      const mine = [...this.inFlight.values()].filter((e) => e.batchId === batch.id);
      for (const entry of mine) this.abortLine(entry, outcome);
      await Promise.allSettled(mine.map((e) => e.done));
      const { store, clock } = this.options;
      const code = outcome === 'cancelled' ? 'batch_cancelled' : 'batch_expired';
      for (const line of await store.unsettledLines(batch.id)) {
        const why = outcome === 'cancelled' ? 'The batch was cancelled before this request ran' : 'The batch expired (completion_window) before this request could be served';
        const settled: SettledLine = {
          key: line.customId,
          line: line.line,
          file: 'error',
          result: { id: resultId(), custom_id: line.customId, response: null, error: { code, message: line.lastError ? `${why}; last refusal: ${line.lastError}` : why } },
        };
        await store.settleLine(batch.id, settled);
      }
      await finalizeBatch(store, batch, outcome, clock.now());
    } finally {
      this.closing.delete(batch.id);
    }
  }

  private async renewLeases(): Promise<void> {
    const { store, clock, leaseMs } = this.options;
    const now = clock.now();
    if (now - this.lastRenewAt < leaseMs / 3 || this.inFlight.size === 0) return;
    this.lastRenewAt = now;
    const byBatch = new Map<string, string[]>();
    for (const entry of this.inFlight.values()) byBatch.set(entry.batchId, [...(byBatch.get(entry.batchId) ?? []), entry.customId]);
    for (const [batchId, ids] of byBatch) await store.renewLeases(batchId, ids, this.owner, now + leaseMs);
  }
}
