/**
 * `freeway catalog [--format markdown|json]` and `freeway catalog pull`: argument parsing only; the
 * catalog library does the work. A bad value is a UsageError (exit code 2).
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadCatalog, pullCatalog, renderCatalogMarkdown, renderPullReport, type PullDeps } from '../catalog/index.js';
import { UsageError } from './usage-error.js';

export interface CatalogCommandIo {
  stdout: { write(text: string): unknown };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Clock, randomness and dispatcher for `pull` (tests). */
  pullDeps?: Partial<PullDeps>;
}

const formats = ['markdown', 'json'] as const;

function positiveInteger(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > max)
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not '${value}'`);
  return number;
}

export function registerCatalogCommand(
  program: Command,
  io: CatalogCommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): void {
  const catalog = program
    .command('catalog')
    .description('Print the catalog of free providers, their models and limits')
    .option('--format <format>', 'markdown or json', 'markdown')
    .action((options: { format: string }) => {
      if (!(formats as readonly string[]).includes(options.format)) {
        throw new UsageError(`--format must be markdown or json, not '${options.format}'`);
      }
      const data = loadCatalog();
      io.stdout.write(options.format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : renderCatalogMarkdown(data));
    });

  catalog
    .command('pull')
    .description('Ask every reachable provider for its current models; write catalog.json and catalog.md')
    .option('--out <dir>', 'where to write the snapshot and listing', '.freeway/catalog')
    .option('--refresh', 'ignore cached provider answers')
    .option('--concurrency <n>', 'providers asked at once (default 4)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds (default 15000)')
    .action(async (options: { out: string; refresh?: boolean; concurrency?: string; timeout?: string }) => {
      const concurrency = positiveInteger('--concurrency', options.concurrency, 64);
      const timeoutMs = positiveInteger('--timeout', options.timeout, 600_000);
      if (options.out.trim() === '') throw new UsageError('--out needs a directory');
      const bar = io.stderr.isTTY
        ? new SingleBar({ stream: io.stderr, format: 'providers {bar} {value}/{total} {provider}', hideCursor: true })
        : undefined;
      const result = await pullCatalog(
        {
          outDir: options.out,
          refresh: options.refresh === true,
          env: io.env,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(timeoutMs === undefined ? {} : { policy: { timeoutMs } }),
        },
        {
          ...io.pullDeps,
          onProgress: ({ done, total, providerId }) => {
            if (!bar) return;
            if (done === 1) bar.start(total, 0, { provider: '' });
            bar.update(done, { provider: providerId });
            if (done === total) bar.stop();
          },
        },
      );
      io.stdout.write(renderPullReport(result));
    });
}
