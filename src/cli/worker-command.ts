/**
 * `freeway worker`: takes batch lines from the shared queue on `state.redis` and runs them through
 * an in-process gateway; SIGTERM or Ctrl-C hands back what it holds, then exits.
 */
import type { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import { startWorker } from '../batch/run-worker.js';
import { openGateway } from './open-gateway.js';
import { parsePositiveNumber } from './parse-options.js';
import { UsageError } from './usage-error.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run batch lines from the shared queue on state.redis (scale-out mode)')
    .option('-c, --config <file>', 'freeway.yaml or JSON config with state.redis (default: ./freeway.yaml when present)')
    .option('-n, --concurrency <n>', 'lines in flight at once (default: batch.concurrency)', (v) => parsePositiveNumber(v, 'concurrency'))
    .action(async (options: { config?: string; concurrency?: number }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const opened = await openGateway(options.config, log).catch((error: unknown) => {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      });
      if (!opened.config.state.redis) {
        await opened.close();
        throw new UsageError('freeway worker needs state.redis in the config (the shared batch queue lives there)');
      }
      const worker = await startWorker({ config: opened.config, gateway: opened.gateway, clock: systemClock, ...(options.concurrency ? { concurrency: Math.floor(options.concurrency) } : {}), log });
      log(`Worker ${worker.engine.owner} is taking batch lines from the shared queue`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log('Worker stopping: handing back the lines it holds');
      await worker.stop();
      await opened.close();
    });
}
