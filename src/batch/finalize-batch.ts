/**
 * Closes a batch: writes its output and error files from the settled lines (in input order) and
 * records the final status with its timestamp. File ids derive from the batch id, so finalizing
 * twice (two processes, or a crash halfway) writes the same files and never a second copy.
 * It never settles lines: everything must be settled before it runs.
 */
import type { BatchStore } from './batch-store.js';
import type { BatchObject, FileObject } from './batch-types.js';

export type FinalStatus = 'completed' | 'cancelled' | 'expired';

const jsonl = (values: readonly unknown[]): Buffer => Buffer.from(values.map((v) => `${JSON.stringify(v)}\n`).join(''), 'utf8');

export async function finalizeBatch(store: BatchStore, batch: BatchObject, outcome: FinalStatus, nowMs: number): Promise<BatchObject> {
  const settled = await store.settledLines(batch.id);
  const now = Math.floor(nowMs / 1000);
  const suffix = batch.id.replace(/^batch_/, '');
  const writeFile = async (kind: 'output' | 'error'): Promise<string | null> => {
    const lines = settled.filter((s) => s.file === kind).map((s) => s.result);
    if (lines.length === 0) return null;
    const content = jsonl(lines);
    const file: FileObject = {
      id: `file-${kind}-${suffix}`,
      object: 'file',
      bytes: content.length,
      created_at: now,
      filename: `${batch.id}_${kind}.jsonl`,
      purpose: 'batch_output',
      status: 'processed',
      status_details: null,
      expires_at: null,
    };
    await store.saveFile(file, content);
    return file.id;
  };
  const outputFileId = await writeFile('output');
  const errorFileId = await writeFile('error');
  const stamp = outcome === 'completed' ? { completed_at: now } : outcome === 'cancelled' ? { cancelled_at: now } : { expired_at: now };
  const final: BatchObject = { ...batch, ...stamp, status: outcome, output_file_id: outputFileId, error_file_id: errorFileId };
  await store.saveBatch(final);
  return (await store.getBatch(batch.id)) ?? final;
}
