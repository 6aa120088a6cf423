/**
 * npm run bench — every benchmark in turn, each in its own process (so one's load cannot skew
 * another's), stopping at the first that fails. Each prints its table and writes bench/results/*.json.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benchmarks = [
  'simulator-throughput.ts',
  'overhead.ts',
  'quota-redis-throughput.ts',
  'fleet.ts',
  'faults.ts',
  'cache.ts',
  'cache-tiers.ts',
  'routing-mix.ts',
  'predictor-accuracy.ts',
  'prompt-tokens.ts',
  'allocations.ts',
  'shaping.ts',
  'batch.ts',
];

for (const script of benchmarks) {
  console.log(`\n=== ${script}`);
  const file = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${script} failed with exit code ${result.status ?? 'null'}`);
    process.exit(1);
  }
}
