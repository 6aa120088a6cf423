/**
 * Reads the `usage` a provider reported, checking rather than casting: a count is a finite,
 * non-negative integer or it is not there. A provider that sends `"total_tokens": "12"` or NaN must
 * not reach the quota ledger; the caller falls back to its estimate instead. It only reads.
 */

export interface CallUsage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/** The valid counts of `raw` (an upstream `usage` object); undefined when it holds none. */
export function readUsage(raw: unknown): CallUsage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const fields = raw as Record<string, unknown>;
  const promptTokens = count(fields['prompt_tokens']);
  const completionTokens = count(fields['completion_tokens']);
  // A missing or broken total is the sum of its parts when both parts are sound.
  const totalTokens =
    count(fields['total_tokens']) ??
    (promptTokens !== undefined && completionTokens !== undefined ? promptTokens + completionTokens : undefined);
  if (promptTokens === undefined && completionTokens === undefined && totalTokens === undefined) return undefined;
  return { promptTokens, completionTokens, totalTokens };
}
