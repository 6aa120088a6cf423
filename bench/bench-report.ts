/**
 * `npm run bench:report`: runs the benchmarks in a short mode (the settings each already reads,
 * turned down; see BENCHES in report-render.ts), then renders bench/report/ from bench/results/.
 * `--no-run` only renders what bench/results/ holds. The headline plot is also copied to docs/.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCHES, HEADLINE_FILE, renderReport, shortCommand, writeReport, type BenchName, type Results } from './report-render.js';

const { values } = parseArgs({ options: { 'no-run': { type: 'boolean', default: false } } });
const root = join(import.meta.dirname, '..');
const names = Object.keys(BENCHES) as BenchName[];

// A benchmark that outlives its share is stopped with everything it started, so the report (and CI) always ends.
const BENCH_DEADLINE_MS = 150_000;

/** Runs one benchmark in its own process group; resolves with how it ended. */
function runBench(name: BenchName): Promise<string> {
  const { env, args } = BENCHES[name].short;
  const child = spawn(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`), ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, detached: true });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const deadline = setTimeout(killGroup, BENCH_DEADLINE_MS);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      killGroup(); // fleets and gateways it left behind
      resolve(code === 0 ? 'ok' : `exited with ${code ?? signal}${signal === 'SIGKILL' ? ` (stopped after ${BENCH_DEADLINE_MS / 1000} s)` : ''}`);
    });
  });
}

if (!values['no-run']) {
  const started = Date.now();
  for (const name of names) {
    console.log(`\n== ${shortCommand(name)}`);
    const ended = await runBench(name);
    if (ended !== 'ok') console.error(`bench ${name} ${ended}: its section will say so`);
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
