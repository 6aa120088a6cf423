/**
 * `freeway batch IN.jsonl --output OUT.jsonl`: runs a file of requests in OpenAI Batch format
 * through an in-process gateway, with a progress bar on a TTY (plain lines otherwise). Ctrl-C
 * hands in-flight lines back to the checkpoint and exits; the same command resumes.
 */
import { existsSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import type { BatchObject } from '../batch/batch-types.js';
import type { Priority } from '../gateway/types.js';
import { checkpointPathFor, runBatchFile, type BatchFileProgress } from '../batch/run-batch-file.js';
import { openGateway } from './open-gateway.js';
import { UsageError } from './usage-error.js';

interface BatchOptions {
  output: string;
  errors?: string;
  config?: string;
  priority?: string;
}

const PRIORITIES = ['high', 'normal', 'low'];

const formatEta = (seconds: number | null): string =>
  seconds === null ? '?' : seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m` : seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;

function progressReporter(isTty: boolean): { update(p: BatchFileProgress): void; stop(): void } {
  if (isTty) {
    const bar = new cliProgress.SingleBar(
      { format: 'batch [{bar}] {percentage}% | done {done} failed {failed} left {left} | {rate} req/min capacity | ETA {etaText}', hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let isStarted = false;
    return {
      update: (p) => {
        const { total, completed, failed, pending, leased } = p.counts;
        const payload = { done: completed, failed, left: pending + leased, rate: p.capacityPerMinute?.toFixed(0) ?? '?', etaText: formatEta(p.etaSeconds) };
        if (!isStarted) bar.start(total, completed + failed, payload);
        isStarted = true;
        bar.update(completed + failed, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let last = '';
  return {
    update: (p) => {
      const { completed, failed, pending, leased } = p.counts;
      const line = `done ${completed} failed ${failed} left ${pending + leased} capacity ${p.capacityPerMinute?.toFixed(0) ?? '?'} req/min ETA ${formatEta(p.etaSeconds)}`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    },
    stop: () => {},
  };
}

export function registerBatchCommand(program: Command): void {
  program
    .command('batch')
    .description('Run a JSONL file of OpenAI Batch requests through the gateway; rerun the same command to resume')
    .argument('<input>', 'input file: one {custom_id, method, url, body} per line')
    .requiredOption('-o, --output <file>', 'where successful lines are written (and error lines, without --errors)')
    .option('-e, --errors <file>', 'where error lines are written')
    .option('-c, --config <file>', 'freeway.yaml or JSON config (default: ./freeway.yaml when present)')
    .option('-P, --priority <p>', 'priority of the lines: high, normal or low (default low)')
    .action(async (input: string, options: BatchOptions) => {
      if (!existsSync(input)) throw new UsageError(`input file not found: ${input}`);
      if (options.priority !== undefined && !PRIORITIES.includes(options.priority)) throw new UsageError(`invalid priority: ${options.priority} (high, normal or low)`);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const opened = await openGateway(options.config, log).catch((error: unknown) => {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      });
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const progress = progressReporter(process.stderr.isTTY === true);
      try {
        const result = await runBatchFile({
          inputPath: input,
          outputPath: options.output,
          ...(options.errors ? { errorsPath: options.errors } : {}),
          config: opened.config,
          gateway: opened.gateway,
          clock: systemClock,
          ...(options.priority ? { priority: options.priority as Priority } : {}),
          signal: stop.signal,
          onProgress: (p) => progress.update(p),
          log,
        });
        progress.stop();
        const { completed, failed, total } = result.batch.request_counts;
        if (!result.isFinished) {
          log(`Stopped: ${completed + failed} of ${total} lines done, kept in ${checkpointPathFor(options.output)}. Rerun the same command to resume.`);
        } else {
          log(`Batch ${result.batch.status}: ${completed} succeeded, ${failed} failed, of ${total}. Output: ${options.output}${options.errors ? `, errors: ${options.errors}` : ''}`);
          for (const line of unwrittenLines(result.batch)) log(line);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await opened.close();
      }
    });
}

/**
 * A line whose custom_id an earlier line already used is failed but written nowhere: each custom_id
 * appears once in the results. Say so here, or "N failed" would not match the error file.
 */
function unwrittenLines(batch: BatchObject, shown = 10): string[] {
  const duplicates = (batch.errors?.data ?? []).filter((error) => error.code === 'duplicate_custom_id');
  const lines = duplicates.slice(0, shown).map((error) => `Not written: line ${error.line ?? '?'}: ${error.message}`);
  if (duplicates.length > shown) lines.push(`… and ${duplicates.length - shown} more lines with a custom_id already used`);
  return lines;
}
