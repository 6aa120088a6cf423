/**
 * `freeway status` as text: the dashboard's picture of GET /v1/freeway/state in terminal tables
 * (providers' quota per scope with what is left and the next reset, parking, breakers, disabled
 * keys, the queue, batches). Pure formatting: it never fetches, and prints only what state says.
 */

interface LimitView {
  label: string;
  limit: number;
  remaining: number;
  resetAt: string;
  resetInMs?: number;
  learned?: boolean;
}
interface ScopeView {
  scope: string;
  limits: LimitView[];
  parked: { until: string; reason: string | null } | null;
}
interface DeploymentView {
  id: string;
  provider: string;
  model: string;
  key: string;
  breaker: string;
  keyDisabled: string | null;
  lastFailure: { code: string; at: string } | null;
  latency: { ttftMs: number } | null;
}
interface BatchView {
  id: string;
  status: string;
  endpoint: string;
  request_counts?: { total: number; completed: number; failed: number };
  /** null once a batch has finished: no rate to show. */
  rate_per_minute?: number | null;
  eta_seconds?: number | null;
}
export interface StateView {
  at: string;
  store?: { backend?: string; isDegraded?: boolean };
  queue?: Record<string, number>;
  quota?: { scopes?: ScopeView[] };
  deployments?: DeploymentView[];
  batches?: BatchView[];
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** Left-aligned columns separated by two spaces; numbers in `right` columns are right-aligned. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Control characters out: names come from config and providers, and must not drive the terminal. */
const clean = (text: string | number | null | undefined): string =>
  Array.from(String(text ?? ''), (char) => {
    const code = char.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) ? '?' : char;
  }).join('');

export function renderStatus(state: StateView, url: string): string {
  const at = Date.parse(state.at);
  const queue = state.queue ?? {};
  const out: string[] = [];
  out.push(
    `Freeway at ${url} · ${state.at} · quota store ${clean(state.store?.backend ?? 'memory')}${state.store?.isDegraded ? ' (DEGRADED)' : ''} · queue high ${queue['high'] ?? 0} normal ${queue['normal'] ?? 0} low ${queue['low'] ?? 0}`,
  );

  const scopes = state.quota?.scopes ?? [];
  const quotaRows = scopes.flatMap((scope) =>
    scope.limits.map((limit, index) => {
      const share = limit.limit > 0 ? Math.max(0, limit.remaining) / limit.limit : 1;
      const resetIn = limit.resetInMs ?? Date.parse(limit.resetAt) - at;
      const parked = index === 0 && scope.parked ? `parked ${formatDuration(Date.parse(scope.parked.until) - at)}${scope.parked.reason ? `: ${clean(scope.parked.reason)}` : ''}` : '';
      return [
        index === 0 ? clean(scope.scope.split(':')[0]) : '',
        index === 0 ? clean(scope.scope) : '',
        clean(limit.label) + (limit.learned ? ' (learned)' : ''),
        `${Math.floor(Math.max(0, limit.remaining))}`,
        `${Math.round(share * 100)}%`,
        formatDuration(resetIn),
        parked,
      ];
    }),
  );
  out.push('', 'QUOTA', quotaRows.length ? table(['PROVIDER', 'SCOPE', 'LIMIT', 'LEFT', '', 'RESET IN', 'PARKED'], quotaRows, new Set([3, 4, 5])) : '(no limits known yet)');

  const deployments = state.deployments ?? [];
  const deploymentRows = deployments.map((d) => [
    clean(d.provider),
    clean(d.model),
    clean(d.key),
    d.breaker,
    d.latency ? `${d.latency.ttftMs} ms` : '–',
    d.keyDisabled ? `key disabled: ${clean(d.keyDisabled)}` : d.lastFailure ? `last failure ${clean(d.lastFailure.code)}` : '',
  ]);
  const notClosed = deployments.filter((d) => d.breaker !== 'closed').length;
  out.push('', `DEPLOYMENTS (${deployments.length}, ${notClosed} breaker(s) not closed)`, table(['PROVIDER', 'MODEL', 'KEY', 'BREAKER', 'TTFT', 'NOTE'], deploymentRows, new Set([4])));

  const batches = state.batches ?? [];
  const batchRows = batches.map((b) => {
    const counts = b.request_counts ?? { total: 0, completed: 0, failed: 0 };
    return [
      clean(b.id),
      clean(b.status),
      clean(b.endpoint),
      `${counts.completed + counts.failed}/${counts.total}`,
      String(counts.failed),
      typeof b.rate_per_minute === 'number' ? `${b.rate_per_minute.toFixed(1)}/min` : '–',
      b.eta_seconds != null ? formatDuration(b.eta_seconds * 1000) : '–',
    ];
  });
  out.push('', 'BATCHES', batchRows.length ? table(['ID', 'STATUS', 'ENDPOINT', 'DONE', 'FAILED', 'RATE', 'ETA'], batchRows, new Set([3, 4])) : '(no batches)');
  return `${out.join('\n')}\n`;
}
