/**
 * What the batch engine needs from storage, whatever holds it (SQLite on one machine, Redis when
 * several processes share the work). The store owns atomicity: a claim leases each line to one
 * owner, and settling a line is idempotent by (batch, custom_id), so a line redelivered after a
 * crash can never be written twice. It never calls the gateway or decides what a result is.
 */
import type { BatchObject, ClaimedLine, FileObject, LineCounts, QueuedLine, SettledLine } from './batch-types.js';

export interface ClaimRequest {
  owner: string;
  limit: number;
  /** Epoch ms: lines whose `notBefore` is later stay put; leases that ended before it are taken over. */
  now: number;
  leaseUntil: number;
}

export interface ReleaseRequest {
  owner: string;
  /** Epoch ms before which nobody should take the line again. */
  notBefore: number;
  /** Why it was handed back, kept to explain an expiry later. */
  lastError: string | null;
  /** Whether the call counted as an attempt (a hand-back at shutdown does not). */
  countsAsAttempt: boolean;
}

export interface BatchPage {
  data: BatchObject[];
  hasMore: boolean;
}

export interface BatchStore {
  saveFile(file: FileObject, content: Buffer): Promise<void>;
  getFile(id: string): Promise<FileObject | undefined>;
  getFileContent(id: string): Promise<Buffer | undefined>;
  deleteFile(id: string): Promise<boolean>;

  /** Stores a new batch with its runnable lines and the lines already settled by validation. */
  createBatch(batch: BatchObject, lines: readonly QueuedLine[], settled: readonly SettledLine[]): Promise<void>;
  /** `withCounts: false` skips filling request_counts (a scan of the batch's lines): the engine's hot path. */
  getBatch(id: string, options?: { withCounts?: boolean }): Promise<BatchObject | undefined>;
  /** Writes the batch record (status, timestamps, file ids); request_counts are filled on read. */
  saveBatch(batch: BatchObject): Promise<void>;
  /** Newest first; `after` is the id of the last batch of the previous page. */
  listBatches(after: string | undefined, limit: number): Promise<BatchPage>;
  /** Batches an engine still has work on (validating, in progress, finalizing, cancelling). */
  activeBatchIds(): Promise<string[]>;

  claimLines(batchId: string, request: ClaimRequest): Promise<ClaimedLine[]>;
  /** Extends the leases of lines this owner still holds. */
  renewLeases(batchId: string, customIds: readonly string[], owner: string, leaseUntil: number): Promise<void>;
  releaseLine(batchId: string, customId: string, request: ReleaseRequest): Promise<void>;
  /** Records a line's outcome once; false when it was already settled (the new outcome is dropped). */
  settleLine(batchId: string, settled: SettledLine): Promise<boolean>;
  /** Lines not settled yet, with why they last failed, in input order. */
  unsettledLines(batchId: string): Promise<{ customId: string; line: number; lastError: string | null }[]>;
  counts(batchId: string, now: number): Promise<LineCounts>;
  /** Every settled line in input order. */
  settledLines(batchId: string): Promise<SettledLine[]>;
  /**
   * Ends every lease at once. Only for a store one process owns alone (embedded SQLite): what a
   * crashed predecessor held is known lost, so there is no need to wait for its leases to end.
   */
  releaseAllLeases(): Promise<number>;
  close(): Promise<void>;
}
