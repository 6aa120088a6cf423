/**
 * `npm run bench:report`: runs the benchmarks in a short mode (the settings each already reads,
 * turned down; see BENCHES in report-render.ts), then renders bench/report/ from bench/results/.
 * `--no-run` only renders what bench/results/ holds. The headline plot is also copied to docs/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHES, HEADLINE_FILE, renderReport, shortCommand, writeReport, type BenchName, type Results } from './report-render.js';

const { values } = parseArgs({ options: { 'no-run': { type: 'boolean', default: false } } });
const root = join(import.meta.dirname, '..');
const names = Object.keys(BENCHES) as BenchName[];

if (!values['no-run']) {
  const started = Date.now();
  for (const name of names) {
    console.log(`\n== ${shortCommand(name)}`);
    const { env, args } = BENCHES[name].short;
    const run = spawnSync(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`), ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    if (run.status !== 0) console.error(`bench ${name} exited with ${run.status ?? run.signal}: its section will say so`);
  }
  console.log(`\nbenchmarks took ${Math.round((Date.now() - started) / 1000)} s`);
}

const results: Results = {};
for (const name of names) {
  const file = join(root, 'bench', 'results', `${name}.json`);
  if (existsSync(file)) results[name] = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
const report = renderReport(results, { generatedAt: new Date().toISOString(), mode: values['no-run'] ? 'rendered from bench/results' : 'short mode' });
const written = writeReport(join(root, 'bench', 'report'), report);
mkdirSync(join(root, 'docs'), { recursive: true });
if (report.svgs[HEADLINE_FILE]) copyFileSync(join(root, 'bench', 'report', HEADLINE_FILE), join(root, 'docs', 'bench-headline.svg'));
console.log(`wrote ${written.length} files in bench/report/ (index.html, README.md and the plots)`);
