/**
 * `freeway simulate`: bad flags and files are usage errors (the CLI maps UsageError to exit code 2);
 * a real run prints one base URL per provider and the config, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerSimulateCommand } from '../../src/cli/simulate-command.js';
import { UsageError } from '../../src/cli/usage-error.js';

function program(): Command {
  const root = new Command('freeway').exitOverride();
  registerSimulateCommand(root);
  return root;
}

describe('freeway simulate', () => {
  it.each([
    [['simulate', '--port', 'abc'], '--port'],
    [['simulate', '--time-scale', '0'], '--time-scale'],
    [['simulate', '--seed', '-1'], '--seed'],
    [['simulate', '--fleet', '/nonexistent/fleet.yaml'], '/nonexistent/fleet.yaml: cannot read fleet file'],
  ])('refuses %j with a usage error', async (argv, message) => {
    const error: unknown = await program()
      .parseAsync(argv, { from: 'user' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it('serves the default fleet, prints its URLs and config, and closes on SIGTERM', async () => {
    const script =
      "import { registerSimulateCommand } from './src/cli/simulate-command.ts'; import { Command } from 'commander'; const p = new Command('freeway'); registerSimulateCommand(p); await p.parseAsync(process.argv.slice(1), { from: 'user' });";
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'simulate', '--seed', '3', '--print-config'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    while (!stderr.includes('Ctrl-C') || !stdout.includes('providers:')) {
      if (child.exitCode !== null) throw new Error(`simulate exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 100));
    const config = parse(stdout) as { providers: { id: string; baseUrl: string }[] };
    expect(config.providers.map((p) => p.id)).toContain('groq');
    expect(stderr).toContain(config.providers[0]!.baseUrl);
    const models = await fetch(`${config.providers[0]!.baseUrl}/models`, {
      headers: { authorization: 'Bearer sim-groq-key' },
    });
    expect(models.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
