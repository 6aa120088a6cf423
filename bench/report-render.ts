/**
 * The benchmark report: reads the JSON each benchmark wrote to bench/results/ and renders
 * bench/report/index.html (self-contained, inline SVG) and its markdown twin README.md with one
 * SVG file per plot. Every plot says what was run and how to reproduce it. It only formats
 * numbers the benchmarks measured; a missing result is said to be missing, never filled in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeXml, renderBarChart, type BarChart } from './report-charts.js';

export type BenchName = 'faults' | 'fleet' | 'cache' | 'routing-mix' | 'overhead';
type Json = Record<string, unknown>;
export type Results = Partial<Record<BenchName, Json>>;

/** How each benchmark runs in the report's short mode, and in full. */
export const BENCHES: Record<BenchName, { short: { env: Record<string, string>; args: string[] }; full: string }> = {
  faults: { short: { env: { BENCH_SECONDS: '4' }, args: [] }, full: 'npm run bench:faults' },
  fleet: { short: { env: {}, args: ['--fleet-minutes', '1.5', '--skip-redis'] }, full: 'npm run bench:fleet' },
  cache: { short: { env: { BENCH_OPS: '500', BENCH_ROUNDS: '3', BENCH_WORKLOAD_REQUESTS: '200' }, args: [] }, full: 'npm run bench:cache' },
  'routing-mix': { short: { env: { BENCH_REQUESTS: '60' }, args: [] }, full: 'npm run bench:routing' },
  overhead: { short: { env: { BENCH_ROUNDS: '1', BENCH_SECONDS: '2', BENCH_WARMUP_SECONDS: '2' }, args: [] }, full: 'npm run bench:overhead' },
};

export const shortCommand = (name: BenchName): string => {
  const { env, args } = BENCHES[name].short;
  return [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'npx tsx', `bench/${name}.ts`, ...args].join(' ');
};

interface Plot {
  file: string;
  chart: BarChart;
  /** What was run, in a sentence. */
  what: string;
  bench: BenchName;
  at: string;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const rowsOf = (result: Json | undefined, key = 'rows'): Json[] => (Array.isArray(result?.[key]) ? (result[key] as Json[]) : []);
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : fallback);
const at = (result: Json | undefined): string => str(result?.['at']);

function faultsPlots(result: Json): Plot[] {
  const rows = rowsOf(result);
  const what = `${num(result['rate'])} req/s for ${num(result['seconds'])} s against simulated providers injecting errors, timeouts and cut streams (half the requests streaming); the same load through Freeway, a naive client and Portkey.`;
  return [
    {
      file: 'faults-success.svg',
      bench: 'faults',
      at: at(result),
      what,
      chart: {
        title: 'Success rate under injected faults',
        unit: 'answers that completed, % of requests',
        max: 100,
        groups: [
          { label: '', bars: rows.map((r) => ({ label: String(r['client']), value: num(r['success %']), text: `${num(r['success %'])} %` })) },
        ],
      },
    },
    {
      file: 'faults-truncated.svg',
      bench: 'faults',
      at: at(result),
      what,
      chart: {
        title: 'Streams cut without an error event, and the calls it took',
        unit: 'count / ratio',
        groups: [
          { label: 'silently truncated streams', bars: rows.map((r) => ({ label: String(r['client']), value: num(r['silently truncated']) })) },
          { label: 'upstream calls per request', bars: rows.map((r) => ({ label: String(r['client']), value: num(r['upstream calls / request']) })) },
        ],
      },
    },
    {
      file: 'faults-latency.svg',
      bench: 'faults',
      at: at(result),
      what,
      chart: {
        title: 'Latency under injected faults',
        unit: 'ms, client side',
        groups: ['p50 ms', 'p99 ms'].map((field) => ({ label: field.replace(' ms', ''), bars: rows.map((r) => ({ label: String(r['client']), value: num(r[field]) })) })),
      },
    },
  ];
}

function fleetPlots(result: Json): Plot[] {
  const rows = rowsOf(result);
  const settings = (result['settings'] ?? {}) as Json;
  const label = (r: Json) => (String(r['client']).startsWith('naive') ? 'naive rotating client' : String(r['client']));
  const what = `The default simulated fleet time-scaled ${num(settings['timeScale'])}×, offered ${num(settings['loadFactor'])}× its pooled capacity for ${num(settings['fleetMinutes'])} fleet minutes (${num(settings['requests'])} requests); goodput counts answers that ended inside the window.`;
  return [
    {
      file: 'fleet-goodput.svg',
      bench: 'fleet',
      at: at(result),
      what,
      chart: { title: 'Goodput against pooled capacity', unit: 'answers in the window, % of what the free tiers allow', groups: [{ label: '', bars: rows.map((r) => ({ label: label(r), value: 100 * num(r['goodput / capacity']), text: `${Math.round(1000 * num(r['goodput / capacity'])) / 10} %` })) }] },
    },
    {
      file: 'fleet-429s.svg',
      bench: 'fleet',
      at: at(result),
      what,
      chart: {
        title: 'Upstream 429s on the same load',
        unit: 'count',
        groups: [
          { label: 'sent to providers and refused', bars: rows.map((r) => ({ label: label(r), value: num(r['upstream 429s']) })) },
          { label: 'seen by clients', bars: rows.map((r) => ({ label: label(r), value: num(r['upstream 429s seen by clients']) })) },
        ],
      },
    },
  ];
}

function cachePlots(result: Json): Plot[] {
  const workload = (result['workload'] ?? {}) as Json;
  const rows = rowsOf(result);
  return [
    {
      file: 'cache-savings.svg',
      bench: 'cache',
      at: at(result),
      what: `${num(workload['requests'])} deterministic requests over ${num(workload['distinctPrompts'])} distinct prompts (Zipf 1.1, bursts of ${num(workload['burst'])}), upstream calls counted by the simulated provider.`,
      chart: {
        title: 'Upstream calls saved by the cache and single-flight',
        unit: 'count',
        groups: [
          {
            label: '',
            bars: [
              { label: 'requests', value: num(workload['requests']), color: '#8a94a3' },
              { label: 'upstream calls', value: num(workload['upstreamCalls']), color: '#2f6fd6' },
              { label: 'calls saved', value: num(workload['upstreamCallsSaved']), text: `${num(workload['upstreamCallsSaved'])} (${Math.round(100 * num(workload['savedShare']))} %)`, color: '#2b9a4a' },
            ],
          },
        ],
      },
    },
    {
      file: 'cache-latency.svg',
      bench: 'cache',
      at: at(result),
      what: `Sequential requests on one connection, ${num(result['rounds'])} interleaved rounds of ${num(result['ops'])}; a cache hit's time minus GET /healthz on the same gateway.`,
      chart: {
        title: 'Latency a cache hit adds, per tier',
        unit: 'µs over /healthz',
        groups: ['added p50 µs', 'added p99 µs'].map((field) => ({ label: field.replace('added ', '').replace(' µs', ''), bars: rows.map((r) => ({ label: String(r['tier']), value: num(r[field]) })) })),
      },
    },
  ];
}

function routingPlots(result: Json): Plot[] {
  const summary = rowsOf(result, 'summary');
  const baseline = str(result['baseline'], 'baseline');
  const label = (r: Json) => (r['model'] === 'auto' ? 'freeway auto' : `baseline ${String(r['model'])}`);
  const what = `${num(result['requests'])} mixed requests (chat, code, extraction, long context; seed ${num(result['seed'])}, ${num(result['concurrency'])} at a time) sent once with model "auto" and once pinned to ${baseline}.`;
  return [
    {
      file: 'routing-latency.svg',
      bench: 'routing-mix',
      at: at(result),
      what,
      chart: { title: 'Routing: latency of auto against one fixed model', unit: 'ms', groups: ['meanMs', 'p95Ms'].map((field) => ({ label: field === 'meanMs' ? 'mean' : 'p95', bars: summary.map((r) => ({ label: label(r), value: num(r[field]) })) })) },
    },
    {
      file: 'routing-quota.svg',
      bench: 'routing-mix',
      at: at(result),
      what,
      chart: { title: 'Routing: large-model quota spent', unit: 'tokens on large/frontier models', groups: [{ label: '', bars: summary.map((r) => ({ label: label(r), value: num(r['scarceTokens']) })) }] },
    },
  ];
}

function overheadPlots(result: Json): Plot[] {
  const summary = (result['summary'] ?? {}) as Record<string, Json[]>;
  const json = summary['json'] ?? [];
  const what = `Closed-loop load on a provider directly, through a bare undici proxy, through Freeway and through Portkey's gateway (${num(result['rounds'])} round(s) × ${num(result['seconds'])} s, JSON answers), same machine, same run.`;
  return [
    {
      file: 'overhead-throughput.svg',
      bench: 'overhead',
      at: at(result),
      what,
      chart: { title: 'Gateway overhead: throughput', unit: 'successful req/s', groups: [{ label: '', bars: json.map((r) => ({ label: String(r['target']), value: num(r['req/s']) })) }] },
    },
    {
      file: 'overhead-latency.svg',
      bench: 'overhead',
      at: at(result),
      what,
      chart: { title: 'Gateway overhead: added latency over a direct call', unit: 'ms', groups: ['added p50 ms', 'added p99 ms'].map((field) => ({ label: field.replace('added ', '').replace(' ms', ''), bars: json.filter((r) => r['target'] !== 'direct').map((r) => ({ label: String(r['target']), value: num(r[field]) })) })) },
    },
  ];
}

const SECTIONS: { name: BenchName; title: string; plots: (result: Json) => Plot[] }[] = [
  { name: 'faults', title: 'Success under faults: Freeway, a naive client and Portkey', plots: faultsPlots },
  { name: 'fleet', title: 'Goodput against pooled free-tier capacity', plots: fleetPlots },
  { name: 'cache', title: 'Cache savings', plots: cachePlots },
  { name: 'routing-mix', title: 'Routing: latency and large-model quota', plots: routingPlots },
  { name: 'overhead', title: 'Gateway overhead', plots: overheadPlots },
];

export const HEADLINE_FILE = 'faults-success.svg';

export interface Report {
  html: string;
  markdown: string;
  svgs: Record<string, string>;
}

export function renderReport(results: Results, options: { generatedAt: string; mode: string }): Report {
  const svgs: Record<string, string> = {};
  const html: string[] = [];
  const markdown: string[] = [
    '# Freeway benchmark report',
    '',
    `Generated ${options.generatedAt} (${options.mode}). Every number below was measured by the benchmark named under its plot, in one run on this machine; ratios compare parties measured in the same run. Regenerate with \`npm run bench:report\`.`,
    '',
  ];
  for (const section of SECTIONS) {
    const result = results[section.name];
    html.push(`<section><h2>${escapeXml(section.title)}</h2>`);
    markdown.push(`## ${section.title}`, '');
    if (!result) {
      html.push(`<p class="missing">No result: bench/results/${section.name}.json is missing (the benchmark did not run or failed).</p></section>`);
      markdown.push(`No result: \`bench/results/${section.name}.json\` is missing (the benchmark did not run or failed).`, '');
      continue;
    }
    for (const plot of section.plots(result)) {
      const svg = renderBarChart(plot.chart);
      svgs[plot.file] = svg;
      const reproduce = `Reproduce: \`${shortCommand(plot.bench)}\` (this report's short mode) or \`${BENCHES[plot.bench].full}\` (full length). Measured ${plot.at}.`;
      html.push(`<figure>${svg}<figcaption><b>What ran:</b> ${escapeXml(plot.what)}<br>${escapeXml(reproduce).replace(/`([^`]*)`/g, '<code>$1</code>')}</figcaption></figure>`);
      markdown.push(`![${plot.chart.title}](${plot.file})`, '', `**What ran:** ${plot.what}`, '', reproduce, '');
    }
    html.push('</section>');
  }
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Freeway benchmark report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#17202b;background:#f4f6f9;margin:0;padding:24px}
main{max-width:780px;margin:0 auto}h1{font-size:22px}h2{font-size:17px;margin-top:32px}
figure{background:#fff;border:1px solid #e2e7ee;border-radius:10px;margin:12px 0;padding:10px}
figure svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#425063;margin-top:6px}
code{background:#eef1f5;padding:1px 4px;border-radius:4px}.missing{color:#a42820}
</style></head><body><main>
<h1>Freeway benchmark report</h1>
<p>Generated ${escapeXml(options.generatedAt)} (${escapeXml(options.mode)}). Every number was measured by the benchmark named under its plot, in one run on this machine; ratios compare parties measured in the same run. Regenerate with <code>npm run bench:report</code>.</p>
${html.join('\n')}
</main></body></html>
`;
  return { html: page, markdown: markdown.join('\n'), svgs };
}

export function writeReport(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const written = [join(dir, 'index.html'), join(dir, 'README.md')];
  writeFileSync(written[0]!, report.html);
  writeFileSync(written[1]!, report.markdown);
  for (const [file, svg] of Object.entries(report.svgs)) {
    writeFileSync(join(dir, file), `${svg}\n`);
    written.push(join(dir, file));
  }
  return written;
}
