import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';

let stderr: string;
let stdout: string;

beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('the freeway command line', () => {
  it('prints help for every command with exit code 0', async () => {
    for (const argv of [['--help'], ['serve', '--help'], ['simulate', '--help'], ['catalog', '--help']]) {
      expect(await run(argv)).toBe(0);
    }
    expect(stdout).toContain('serve');
    expect(stdout).toContain('--time-scale');
  });

  it('answers an unknown flag or command with one line on stderr and exit code 2', async () => {
    expect(await run(['serve', '--bogus'])).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    stderr = '';
    expect(await run(['fly'])).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('answers a bad value or a missing file with exit code 2', async () => {
    expect(await run(['serve', '--port', 'eighty'])).toBe(2);
    expect(stderr).toContain('invalid port');
    stderr = '';
    expect(await run(['serve', '--config', '/nonexistent/freeway.yaml'])).toBe(2);
    expect(stderr).toContain('config file not found');
  });

  it('answers a broken config file with the field and line, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-cli-'));
    const file = join(dir, 'freeway.yaml');
    writeFileSync(file, 'server:\n  port: 8787\nproviders:\n  - id: local\n    baseUrl: http://127.0.0.1:1/v1\n    limits:\n      - { requests: 5, per: fortnight }\n');
    expect(await run(['serve', '--config', file])).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/freeway\.yaml:7/);
    expect(stderr).toContain('per');
  });

  it('refuses to bind beyond loopback without apiKeys, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freeway-cli-'));
    const file = join(dir, 'freeway.yaml');
    writeFileSync(file, 'providers: []\n');
    expect(await run(['serve', '--config', file, '--host', '0.0.0.0', '--port', '0'])).toBe(2);
    expect(stderr).toContain('apiKeys');
  });
});

describe('the freeway binary', () => {
  it('ends quietly with exit code 0 when its reader has closed the pipe (freeway catalog | head)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/freeway.js'), 'catalog', '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderrText = '';
    child.stderr.on('data', (chunk: Buffer) => (stderrText += chunk.toString()));
    // Close our end before the child writes (it takes far longer to start): its first write meets a closed pipe.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderrText).toBe('');
    expect(code).toBe(0);
  });
});
