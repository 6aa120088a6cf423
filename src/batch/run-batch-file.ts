/**
 * `freeway batch` as a library: runs one JSONL input file through a gateway in this process with
 * the same engine as the Batch API, checkpointed in a SQLite file next to the output. The batch is
 * named by the input's hash, so rerunning the same command finds it and resumes: settled lines
 * are never sent again, and the output files are written once, from the store, at the end.
 * It never parses arguments or draws progress; it reports progress through a callback.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FreewayConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Gateway, Priority } from '../gateway/types.js';
import { startBatchRuntime } from './batch-runtime.js';
import { contentHash } from './batch-service.js';
import type { BatchEndpoint, BatchObject, LineCounts } from './batch-types.js';
import { BATCH_ENDPOINTS } from './batch-types.js';
import { jsonlLines } from './parse-batch-input.js';
import { readQuotaCapacity } from './quota-capacity.js';
import { SqliteBatchStore } from './sqlite-batch-store.js';

export interface BatchFileProgress {
  counts: LineCounts;
  /** Pooled capacity in requests per minute (from the ledger's limits), null when unknown. */
  capacityPerMinute: number | null;
  etaSeconds: number | null;
  isResumed: boolean;
}

export interface RunBatchFileOptions {
  inputPath: string;
  outputPath: string;
  /** Where error lines go; absent: into the output file with the successes. */
  errorsPath?: string;
  config: FreewayConfig;
  gateway: Gateway;
  clock: Clock;
  priority?: Priority;
  /** Stops the run: in-flight lines are handed back to the checkpoint for the next run. */
  signal?: AbortSignal;
  onProgress?: (progress: BatchFileProgress) => void;
  /** How often progress is reported, in wall ms. */
  progressEveryMs?: number;
  log?: (line: string) => void;
}

export interface BatchFileResult {
  batch: BatchObject;
  /** false when stopped before the end (Ctrl-C): rerun to resume. */
  isFinished: boolean;
}

const FINAL = new Set(['completed', 'expired', 'cancelled', 'failed']);

export const checkpointPathFor = (outputPath: string): string => `${outputPath}.checkpoint.sqlite`;

/** The endpoint of the first line that names one, so a file of embeddings needs no flag. */
function endpointOf(content: string): BatchEndpoint {
  for (const { text } of jsonlLines(content).slice(0, 100)) {
    try {
      const url = (JSON.parse(text) as { url?: unknown }).url;
      if (BATCH_ENDPOINTS.includes(url as BatchEndpoint)) return url as BatchEndpoint;
    } catch {
      // a bad line is reported by validation; look at the next one
    }
  }
  return '/v1/chat/completions';
}

export async function runBatchFile(options: RunBatchFileOptions): Promise<BatchFileResult> {
  const content = readFileSync(options.inputPath);
  const hash = contentHash(content).slice(0, 32);
  const store = new SqliteBatchStore(checkpointPathFor(options.outputPath));
  const runtime = await startBatchRuntime({
    config: options.config,
    gateway: options.gateway,
    clock: options.clock,
    store,
    ...(options.priority ? { defaultPriority: options.priority } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const batchId = `batch_${hash}`;
    let batch = await store.getBatch(batchId);
    const isResumed = batch !== undefined;
    if (!batch) {
      const file = await runtime.service.uploadFile({ filename: basename(options.inputPath), purpose: 'batch', content }, `file-${hash}`);
      batch = await runtime.service.createBatch({ input_file_id: file.id, endpoint: endpointOf(content.toString('utf8')), completion_window: '24h' }, batchId);
    }
    runtime.engine.notify();
    const report = async (): Promise<void> => {
      const counts = await store.counts(batchId, options.clock.now());
      const capacity = await readQuotaCapacity(options.gateway);
      const left = counts.pending + counts.leased;
      const rate = capacity.requestsPerMinute;
      options.onProgress?.({ counts, capacityPerMinute: rate, etaSeconds: rate ? Math.ceil((left / rate) * 60) : null, isResumed });
    };
    while (!FINAL.has(batch.status) && !options.signal?.aborted) {
      await report();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.progressEveryMs ?? 250);
        options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      batch = (await store.getBatch(batchId)) ?? batch;
    }
    await report();
    if (!FINAL.has(batch.status)) return { batch, isFinished: false };
    writeResults(await store.settledLines(batchId), options);
    return { batch, isFinished: true };
  } finally {
    await runtime.close();
  }
}

/** Writes each file whole under a temporary name, then renames it: never half a file, never a line twice. */
function writeResults(settled: Awaited<ReturnType<SqliteBatchStore['settledLines']>>, options: RunBatchFileOptions): void {
  const toText = (lines: typeof settled) => lines.map((s) => `${JSON.stringify(s.result)}\n`).join('');
  const write = (path: string, text: string) => {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };
  if (options.errorsPath) {
    write(options.outputPath, toText(settled.filter((s) => s.file === 'output')));
    write(options.errorsPath, toText(settled.filter((s) => s.file === 'error')));
  } else {
    write(options.outputPath, toText(settled.filter((s) => s.file !== 'none')));
  }
}
