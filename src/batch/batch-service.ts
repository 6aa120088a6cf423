/**
 * The Files and Batches API operations, in OpenAI's terms: upload (with size and line limits),
 * retrieve, content, delete; create a batch (validating every line), retrieve, list with a
 * cursor, cancel. It checks requests and writes records; running lines is the engine's job, which
 * it wakes after each change. It never talks HTTP and never calls the gateway.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { FreewayError } from '../core/errors.js';
import type { BatchStore } from './batch-store.js';
import { BATCH_ENDPOINTS, type BatchEndpoint, type BatchObject, type FileObject } from './batch-types.js';
import { jsonlLines, parseBatchInput } from './parse-batch-input.js';

export interface BatchLimits {
  maxFileBytes: number;
  maxLines: number;
}

export interface BatchServiceOptions {
  store: BatchStore;
  clock: Clock;
  limits: BatchLimits;
  isKnownModel: (model: string) => boolean;
  /** Called after a batch is created or cancelled (wakes the local engine). */
  onChange?: () => void;
}

export interface UploadRequest {
  filename: string;
  purpose: string;
  content: Buffer;
}

const COMPLETION_WINDOW_S = 24 * 60 * 60;
const METADATA_MAX_PAIRS = 16;
const PRIORITIES = ['high', 'normal', 'low'];

const randomId = (): string => randomBytes(12).toString('hex');
export const contentHash = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

function invalid(message: string, param: string | null = null): FreewayError {
  return new FreewayError('invalid_request', message, { param });
}

export class BatchService {
  constructor(private readonly options: BatchServiceOptions) {}

  private get store(): BatchStore {
    return this.options.store;
  }

  private nowSeconds(): number {
    return Math.floor(this.options.clock.now() / 1000);
  }

  /** Checks a file's size and lines; `id` is given by the CLI, which names files by their content. */
  async uploadFile(request: UploadRequest, id = `file-${randomId()}`): Promise<FileObject> {
    if (request.purpose !== 'batch') throw invalid(`purpose must be "batch" (got ${JSON.stringify(request.purpose)})`, 'purpose');
    const { maxFileBytes, maxLines } = this.options.limits;
    if (request.content.length > maxFileBytes) {
      throw new FreewayError('request_too_large', `The file is ${request.content.length} bytes; the limit is ${maxFileBytes} bytes (batch.maxFileBytes)`, { param: 'file' });
    }
    if (request.content.length === 0) throw invalid('The file is empty; a batch input file has one JSON request per line', 'file');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(request.content);
    } catch {
      throw invalid('The file is not UTF-8 text (JSONL expected)', 'file');
    }
    const lines = jsonlLines(text).length;
    if (lines === 0) throw invalid('The file has no requests; a batch input file has one JSON request per line', 'file');
    if (lines > maxLines) throw invalid(`The file has ${lines} requests; the limit is ${maxLines} per batch (batch.maxLines)`, 'file');
    const file: FileObject = {
      id,
      object: 'file',
      bytes: request.content.length,
      created_at: this.nowSeconds(),
      filename: request.filename,
      purpose: 'batch',
      status: 'processed',
      status_details: null,
      expires_at: null,
    };
    await this.store.saveFile(file, request.content);
    return file;
  }

  async getFile(id: string): Promise<FileObject> {
    const file = await this.store.getFile(id);
    if (!file) throw new FreewayError('resource_not_found', `No such File object: ${id}`, { param: 'file_id' });
    return file;
  }

  async fileContent(id: string): Promise<Buffer> {
    await this.getFile(id);
    const content = await this.store.getFileContent(id);
    if (!content) throw new FreewayError('resource_not_found', `No such File object: ${id}`, { param: 'file_id' });
    return content;
  }

  async deleteFile(id: string): Promise<{ id: string; object: 'file'; deleted: true }> {
    if (!(await this.store.deleteFile(id))) throw new FreewayError('resource_not_found', `No such File object: ${id}`, { param: 'file_id' });
    return { id, object: 'file', deleted: true };
  }

  /** `id` is given by the CLI (derived from the input's hash) so a rerun finds its batch again. */
  async createBatch(body: unknown, id = `batch_${randomId()}`): Promise<BatchObject> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object');
    const fields = body as Record<string, unknown>;
    const inputFileId = fields['input_file_id'];
    if (typeof inputFileId !== 'string' || inputFileId === '') throw invalid('input_file_id is required', 'input_file_id');
    const endpoint = fields['endpoint'];
    if (!BATCH_ENDPOINTS.includes(endpoint as BatchEndpoint)) throw invalid(`endpoint must be one of ${BATCH_ENDPOINTS.join(', ')}`, 'endpoint');
    if (fields['completion_window'] !== '24h') throw invalid('completion_window must be "24h"', 'completion_window');
    const metadata = readMetadata(fields['metadata']);
    const file = await this.store.getFile(inputFileId);
    if (!file) throw invalid(`No such File object: ${inputFileId}`, 'input_file_id');
    if (file.purpose !== 'batch') throw invalid(`File ${inputFileId} has purpose "${file.purpose}"; a batch needs a file uploaded with purpose "batch"`, 'input_file_id');
    const content = (await this.store.getFileContent(inputFileId)) ?? Buffer.alloc(0);

    const now = this.nowSeconds();
    const parsed = parseBatchInput(content.toString('utf8'), { endpoint: endpoint as BatchEndpoint, isKnownModel: this.options.isKnownModel });
    const batch: BatchObject = {
      id,
      object: 'batch',
      endpoint: endpoint as BatchEndpoint,
      errors: parsed.errors.length > 0 ? { object: 'list', data: parsed.errors } : null,
      input_file_id: inputFileId,
      completion_window: '24h',
      status: 'in_progress',
      output_file_id: null,
      error_file_id: null,
      created_at: now,
      in_progress_at: now,
      expires_at: now + COMPLETION_WINDOW_S,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
      request_counts: { total: parsed.lines.length + parsed.settled.length, completed: 0, failed: parsed.settled.length },
      metadata,
    };
    await this.store.createBatch(batch, parsed.lines, parsed.settled);
    this.options.onChange?.();
    return (await this.store.getBatch(id)) ?? batch;
  }

  async getBatch(id: string): Promise<BatchObject> {
    const batch = await this.store.getBatch(id);
    if (!batch) throw new FreewayError('resource_not_found', `No such Batch object: ${id}`, { param: 'batch_id' });
    return batch;
  }

  async listBatches(query: { after?: string; limit?: string | number }): Promise<{ object: 'list'; data: BatchObject[]; first_id: string | null; last_id: string | null; has_more: boolean }> {
    const limit = query.limit === undefined ? 20 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('limit must be an integer from 1 to 100', 'limit');
    const page = await this.store.listBatches(query.after, limit);
    return { object: 'list', data: page.data, first_id: page.data[0]?.id ?? null, last_id: page.data.at(-1)?.id ?? null, has_more: page.hasMore };
  }

  async cancelBatch(id: string): Promise<BatchObject> {
    const batch = await this.getBatch(id);
    if (batch.status === 'cancelling' || batch.status === 'cancelled') return batch;
    if (batch.status !== 'in_progress' && batch.status !== 'validating') {
      throw invalid(`Cannot cancel a batch with status "${batch.status}"`, 'batch_id');
    }
    await this.store.saveBatch({ ...batch, status: 'cancelling', cancelling_at: this.nowSeconds() });
    this.options.onChange?.();
    return this.getBatch(id);
  }
}

function readMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('metadata must be an object of string values', 'metadata');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_PAIRS) throw invalid(`metadata may have at most ${METADATA_MAX_PAIRS} keys`, 'metadata');
  for (const [key, v] of entries) {
    if (typeof v !== 'string' || key.length > 64 || v.length > 512) throw invalid('metadata keys must be at most 64 characters and values strings of at most 512', 'metadata');
  }
  const priority = (value as Record<string, string>)['priority'];
  if (priority !== undefined && !PRIORITIES.includes(priority)) throw invalid(`metadata.priority must be one of ${PRIORITIES.join(', ')}`, 'metadata');
  return value as Record<string, string>;
}
