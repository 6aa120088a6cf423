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

/** The printed config once it parses and has its providers, else undefined (more output is coming). */
function completeConfig(text: string): { providers: { id: string; baseUrl: string }[] } | undefined {
  try {
    const config = parse(text) as { providers?: { id: string; baseUrl: string }[] } | null;
    return config?.providers && config.providers.every((p) => typeof p.baseUrl === 'string') ? { providers: config.providers } : undefined;
  } catch {
    return undefined;
  }
}

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
    // Ready when the banner is whole (it ends with Ctrl-C) and the config names every provider it lists:
    // waits on the child's output events, not on a sleep.
    const ready = new Promise<{ providers: { id: string; baseUrl: string }[] }>((resolve, reject) => {
      const check = () => {
        if (!stderr.includes('Ctrl-C')) return;
        const urls = stderr.match(/http:\/\/\S+/g) ?? [];
        const config = completeConfig(stdout);
        if (config && config.providers.length === urls.length) resolve(config);
      };
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        check();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        check();
      });
      child.once('exit', () => reject(new Error(`simulate exited early: ${stderr}`)));
    });
    const config = await ready;
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
