/** Helpers for the batch tests: input lines, JSONL reading, waiting for a batch to end (by polling its state). */
import type OpenAI from 'openai';

export const chatLine = (customId: string, model: string, content: string): string =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }], max_tokens: 16 } });

export const readJsonl = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** Polls until the batch reaches a final status (bounded by the test's own timeout). */
export async function waitForBatch(client: OpenAI, id: string): Promise<OpenAI.Batches.Batch> {
  for (;;) {
    const batch = await client.batches.retrieve(id);
    if (FINAL.has(batch.status)) return batch;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
