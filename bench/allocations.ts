/**
 * npm run bench:allocations [-- json|stream|json2k] — bytes the gateway allocates per answered request,
 * and which functions allocate them. Unlike CPU time, allocation barely depends on what else the
 * machine runs, so it shows a hot-path change that timings on a shared machine cannot: every byte
 * is garbage the young-generation collector must clear, and each of its pauses stalls the requests
 * in flight (at a steady rate, that is the gateway's p99).
 * Env: ALLOC_SECONDS (default 3), ALLOC_TOP (default 25). Loads the bench fleet through a built
 * Freeway (bin/freeway.js) with V8's sampling heap profiler (heap-sampling.js) on after each mode's
 * warm-up (every mode when none is named); writes bench/results/allocations.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePort, startChild, writeTempFile } from './processes.js';
import { load, printTable, round, writeResult } from './support.js';
import { benchRequest, startOverheadFleet, WARMUP_SECONDS } from './overhead-fleet.js';
import { allocationsByFunction, type HeapNode } from './v8-profiles.js';

const MODES = (['json', 'stream', 'json2k'] as const).filter((mode) => process.argv[2] === undefined || process.argv[2] === mode);
const SECONDS = Number(process.env['ALLOC_SECONDS'] ?? 3);
const TOP = Number(process.env['ALLOC_TOP'] ?? 25);

async function main(): Promise<void> {
  const { child: fleet, gatewayConfigFile } = await startOverheadFleet();
  const port = allocatePort();
  const profileFile = writeTempFile('allocations.heapprofile', '');
  const freeway = await startChild(
    process.execPath,
    ['--import', join(import.meta.dirname, 'heap-sampling.js'), join(import.meta.dirname, '..', 'bin', 'freeway.js'), 'serve', '--config', gatewayConfigFile, '--port', String(port)],
    `http://127.0.0.1:${port}/healthz`,
    { FREEWAY_HEAP_PROFILE: profileFile },
  );
  const url = `http://127.0.0.1:${port}/v1/chat/completions`;
  const summary: Record<string, unknown> = {};
  try {
    for (const mode of MODES) {
      const { body, uniqueIds } = benchRequest(mode);
      await load({ url, body, uniqueIds, connections: 32, durationSeconds: WARMUP_SECONDS });
      writeFileSync(profileFile, '');
      freeway.process.kill('SIGUSR2');
      const result = await load({ url, body, uniqueIds, connections: 32, durationSeconds: SECONDS });
      freeway.process.kill('SIGUSR2');
      // The gateway process writes the profile (whole, by a rename) a moment after the signal.
      let text = readFileSync(profileFile, 'utf8');
      for (let i = 0; i < 100 && text.length === 0; i++) {
        await sleep(50);
        text = readFileSync(profileFile, 'utf8');
      }
      if (text.length === 0) throw new Error('the gateway wrote no heap profile within 5 s (its stderr says why)');
      const answers = result.okPerSecond * SECONDS;
      const { total, byFunction } = allocationsByFunction((JSON.parse(text) as { head: HeapNode }).head);
      const top = byFunction.slice(0, TOP).map(([key, bytes]) => ({ 'bytes per answer': Math.round(bytes / answers), 'function (self)': key }));
      const kibPerAnswer = round(total / answers / 1024, 1);
      printTable(`${mode}: ${Math.round(answers)} answers in ${SECONDS} s; allocated per answer: ${kibPerAnswer} KiB`, top);
      summary[mode] = { answers: Math.round(answers), kibPerAnswer, top };
    }
  } finally {
    await freeway.stop();
    await fleet.stop();
  }
  console.log(`wrote ${writeResult('allocations', { seconds: SECONDS, modes: summary })}`);
}

await main();
