import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadCatalog, renderCatalogMarkdown } from '../../src/catalog/index.js';
import { registerCatalogCommand, type CatalogCommandIo } from '../../src/cli/catalog-command.js';
import { UsageError } from '../../src/cli/usage-error.js';

function capture(env: Record<string, string> = {}) {
  let out = '';
  const io: CatalogCommandIo = { stdout: { write: (text: string) => (out += text) }, stderr: new PassThrough(), env };
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
