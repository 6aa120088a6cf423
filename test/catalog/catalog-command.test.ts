import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoveryBaseUrlEnvVar, loadCatalog, modelListers, renderCatalogMarkdown } from '../../src/catalog/index.js';
import { registerCatalogCommand, type CatalogCommandIo } from '../../src/cli/catalog-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { InstantClock, json, startFakeServer } from './fake-providers.js';

function capture(env: Record<string, string> = {}, stderr: CatalogCommandIo['stderr'] = new PassThrough()) {
  let out = '';
  const io: CatalogCommandIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr,
    env,
    pullDeps: { clock: new InstantClock(), random: () => 0.5 },
  };
  const program = new Command('freeway')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerCatalogCommand(program, io);
  return { program, output: () => out };
}

describe('the markdown listing', () => {
  const markdown = renderCatalogMarkdown(loadCatalog());

  it('has a section per free provider with limits, caveats and a model table with per-model limits', () => {
    for (const provider of loadCatalog().providers.filter((p) => p.category === 'free')) {
      expect(markdown).toContain(`### [${provider.name}](${provider.website})`);
    }
    expect(markdown).toContain('**Limits:** 20 requests/minute; 50 requests/day (resets in UTC)');
    expect(markdown).toContain(
      '| Llama 3.3 70B | `llama-3.3-70b` | `llama-3.3-70b-versatile` |  | 70B |  | 30 requests/minute<br>1000 requests/day',
    );
    expect(markdown).toContain('10,000 neurons/day');
    expect(markdown).toContain('> **Retired.** Fully retired on 2026-07-30');
  });

  it('opens by naming where the facts come from (project and commit) and how to refresh them', () => {
    const opening = markdown.split('\n').slice(0, 5).join('\n');
    expect(opening).toContain('https://github.com/cheahjs/free-llm-api-resources, commit e6765bc of 2026-07-18');
    expect(opening).toContain('`freeway catalog pull`');
    // A user has the package, not this repository's shared/ folder.
    expect(markdown).not.toContain('shared/data');
    expect(JSON.stringify(loadCatalog().origin)).not.toContain('shared/data');
  });

  it('ends with the trial-credit providers and their credits', () => {
    const trial = markdown.slice(markdown.indexOf('## Providers with trial credits'));
    expect(trial).toContain(
      '| [Modal](https://modal.com) | $5/month; $30/month, with a payment method added | unknown |',
    );
    expect(trial).toContain('$0.5, valid 12 months');
    expect(trial).toContain('1,000,000 tokens per model');
  });
});

describe('freeway catalog', () => {
  it('prints the markdown listing by default', async () => {
    const { program, output } = capture();
    await program.parseAsync(['catalog'], { from: 'user' });
    expect(output()).toBe(renderCatalogMarkdown(loadCatalog()));
  });

  it('prints the whole catalog as JSON', async () => {
    const { program, output } = capture();
    await program.parseAsync(['catalog', '--format', 'json'], { from: 'user' });
    const parsed = JSON.parse(output()) as { providers: { id: string; models: { id: string }[] }[] };
    expect(parsed.providers).toHaveLength(26);
    expect(parsed.providers.flatMap((p) => p.models)).toHaveLength(115);
  });
});

describe('usage errors', () => {
  it.each([
    [['catalog', '--format', 'xml'], UsageError],
    [['catalog', '--bogus'], CommanderError],
    [['catalog', 'pull', '--concurrency', '0'], UsageError],
    [['catalog', 'pull', '--timeout', 'soon'], UsageError],
    [['catalog', 'pull', '--nope'], CommanderError],
  ])('freeway %j is refused before any work', async (argv, kind) => {
    const { program, output } = capture();
    await expect(program.parseAsync(argv, { from: 'user' })).rejects.toBeInstanceOf(kind);
    expect(output()).toBe('');
  });

  // The real binary path: main.ts maps both kinds of mistake to exit code 2 and one line on stderr.
  it.each([[['catalog', '--format', 'xml']], [['catalog', '--bogus']], [['catalog', 'pull', '--concurrency', 'many']]])(
    'the CLI exits 2 on %j',
    (argv) => {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./run-cli.ts', import.meta.url)), ...argv],
        {
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      expect(child.stderr.trim().split('\n')).toHaveLength(1);
      expect(child.status).toBe(2);
    },
  );
});

describe('freeway catalog pull', () => {
  it('asks every provider at the overridden base URLs, prints the table and writes the snapshot', async () => {
    const server = await startFakeServer();
    const out = await mkdtemp(join(tmpdir(), 'freeway-cli-pull-'));
    try {
      server.route('/groq/models', json({ data: [{ id: 'llama-3.3-70b-versatile' }, { id: 'openai/gpt-oss-120b' }] }));
      server.route('/openrouter/models', json({ data: [] }));
      server.route('/sambanova/models', json({ data: [{ id: 'gpt-oss-120b' }] }));
      // Every lister points at the local server: the test never leaves the machine.
      const env: Record<string, string> = { GROQ_API_KEY: 'gsk_cli_test_key' };
      for (const lister of modelListers)
        env[discoveryBaseUrlEnvVar(lister.providerId)] = `${server.origin}/${lister.providerId}`;
      const stderr = new PassThrough();
      let progress = '';
      stderr.on('data', (chunk: Buffer) => (progress += chunk.toString()));
      const { program, output } = capture(env, stderr);
      await program.parseAsync(['catalog', 'pull', '--out', out, '--concurrency', '3', '--timeout', '1000'], {
        from: 'user',
      });

      const report = output();
      expect(report).toMatch(/groq\s+ok\s+2/);
      expect(report).toMatch(/sambanova\s+ok\s+1/);
      expect(report).toMatch(/cohere\s+skipped \(no key\)/);
      expect(report).toMatch(/github-models\s+failed\s+0\s+1\s+HTTP 404/);
      expect(report).toContain('ok 3 · skipped 8 · failed 1');
      expect(report).not.toContain('gsk_cli_test_key');
      expect(progress).toBe('');
      const snapshot = JSON.parse(await readFile(join(out, 'catalog.json'), 'utf8')) as { providers: unknown[] };
      expect(snapshot.providers).toHaveLength(26);
      expect(await readFile(join(out, 'catalog.md'), 'utf8')).toContain('# Free LLM API providers');
      expect(server.requests.every((request) => request.path.startsWith('/'))).toBe(true);
    } finally {
      await server.close();
      await rm(out, { recursive: true, force: true });
    }
  });

  it('shows a progress bar only on a terminal', async () => {
    const server = await startFakeServer();
    const out = await mkdtemp(join(tmpdir(), 'freeway-cli-tty-'));
    try {
      const env: Record<string, string> = {};
      for (const lister of modelListers)
        env[discoveryBaseUrlEnvVar(lister.providerId)] = `${server.origin}/${lister.providerId}`;
      const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
      let progress = '';
      terminal.on('data', (chunk: Buffer) => (progress += chunk.toString()));
      const { program } = capture(env, terminal);
      await program.parseAsync(['catalog', 'pull', '--out', out], { from: 'user' });
      expect(progress).toContain(`${modelListers.length}/${modelListers.length}`);
    } finally {
      await server.close();
      await rm(out, { recursive: true, force: true });
    }
  });
});
