/**
 * The shapes of OpenAI's Files and Batch APIs as Freeway stores and serves them (timestamps in
 * Unix seconds, as OpenAI's), plus the line records the engine keeps. Data only: no behaviour.
 */

export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

/** Statuses in which an engine still has work to do on a batch. */
export const ACTIVE_STATUSES: readonly BatchStatus[] = ['validating', 'in_progress', 'finalizing', 'cancelling'];

export type FilePurpose = 'batch' | 'batch_output';

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: FilePurpose;
  status: 'processed';
  status_details: null;
  expires_at: number | null;
}

export interface BatchErrorEntry {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface BatchObject {
  id: string;
  object: 'batch';
  endpoint: BatchEndpoint;
  errors: { object: 'list'; data: BatchErrorEntry[] } | null;
  input_file_id: string;
  completion_window: '24h';
  status: BatchStatus;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

/** One input line ready to send: what the engine needs to run it. */
export interface QueuedLine {
  customId: string;
  /** 1-based line number in the input file. */
  line: number;
  body: Record<string, unknown>;
}

/** A line handed to one engine for a while (its lease). */
export interface ClaimedLine extends QueuedLine {
  batchId: string;
  attempts: number;
  lastError: string | null;
}

/** One line of the output or error file. */
export interface ResultLine {
  id: string;
  custom_id: string | null;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
}

/**
 * A line's final outcome. `file` says where it is written: `output` (a 2xx answer), `error`, or
 * `none` for an input line that cannot be written under a custom_id of its own (a duplicate),
 * which is reported in the batch's `errors` instead.
 */
export interface SettledLine {
  /** The custom_id, or `#line:N` for a line that has none. */
  key: string;
  line: number;
  file: 'output' | 'error' | 'none';
  result: ResultLine;
}

export interface LineCounts {
  total: number;
  completed: number;
  failed: number;
  /** Lines not yet settled and not leased. */
  pending: number;
  /** Pending lines held back until a later time (after a quota refusal). */
  deferred: number;
  /** Lines leased to an engine right now. */
  leased: number;
  /** Epoch ms when the oldest unsettled line became runnable, or null when none is left. */
  oldestPendingAt: number | null;
}
