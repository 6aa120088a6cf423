/**
 * The closing report of a pull as plain text: one row per provider (ok / skipped / failed and why)
 * with counts, then models that need a display name and models added or removed since the baseline.
 */
import type { PullResult } from './pull-catalog.js';

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((text, column) => text.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export function renderPullReport(result: PullResult): string {
  const rows = [['provider', 'status', 'models', 'requests', 'detail']];
  for (const outcome of result.outcomes) {
    const status =
      outcome.status === 'skipped' && outcome.detail.startsWith('no key') ? 'skipped (no key)' : outcome.status;
    rows.push([outcome.providerId, status, String(outcome.models), String(outcome.requests), outcome.detail]);
  }
  const count = (status: string) => result.outcomes.filter((outcome) => outcome.status === status).length;
  const lines = [
    ...table(rows),
    '',
    `ok ${count('ok')} · skipped ${count('skipped')} · failed ${count('failed')} · ${result.outcomes.reduce((sum, o) => sum + o.models, 0)} models`,
  ];
  if (result.unnamed.length > 0) {
    lines.push('', `Models without a display name (${result.unnamed.length}):`);
    lines.push(...result.unnamed.map((model) => `  ${model.providerId}: ${model.upstreamId}`));
  }
  lines.push('', `Since the ${result.baseline}: ${result.added.length} added, ${result.removed.length} removed.`);
  lines.push(...result.added.map((model) => `  + ${model.providerId}: ${model.upstreamId}`));
  lines.push(...result.removed.map((model) => `  - ${model.providerId}: ${model.upstreamId}`));
  if (result.files) lines.push('', `Wrote ${result.files.json} and ${result.files.markdown}`);
  return `${lines.join('\n')}\n`;
}
