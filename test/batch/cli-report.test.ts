import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningFleet } from '../../src/simulator/index.js';
import { chatLine, readJsonl } from './batch-support.js';
import { CHAT_MODEL, spawnFreeway, startSlowFleet, tempDir, writeConfig } from './process-support.js';

let fleet: RunningFleet | undefined;

afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('freeway batch: what it tells the user', () => {
  it('names a line left out of both files (a custom_id used twice), so "N failed" matches what the user can find', async () => {
    fleet = await startSlowFleet(0);
    const dir = tempDir('freeway-batch-report-');
    const config = writeConfig(dir, fleet);
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, [chatLine('a', CHAT_MODEL, 'First'), 'not json', chatLine('b', CHAT_MODEL, 'Second'), chatLine('a', CHAT_MODEL, 'Again')].join('\n') + '\n');
    const child = spawnFreeway(['batch', input, '--output', join(dir, 'out.jsonl'), '--errors', join(dir, 'err.jsonl'), '--config', config]);
    expect(await child.exited).toBe(0);

    expect(child.output()).toContain('Batch completed: 2 succeeded, 2 failed, of 4.');
    expect(child.output()).toContain('Not written: line 4: custom_id "a" was already used on an earlier line');
    expect(readJsonl(readFileSync(join(dir, 'out.jsonl'), 'utf8')).map((l) => l['custom_id'])).toEqual(['a', 'b']);
    const errors = readJsonl(readFileSync(join(dir, 'err.jsonl'), 'utf8'));
    expect(errors.map((l) => (l['error'] as { code: string }).code)).toEqual(['invalid_json']);
  }, 60_000);
});
