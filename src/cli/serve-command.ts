/**
 * `freeway serve`: loads the config (or falls back to demo mode), starts the gateway and the
 * HTTP server, and shuts both down cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { isFreewayError } from '../core/errors.js';
import { startFreeway } from '../app/start-freeway.js';
import { parsePort } from './parse-options.js';
import { UsageError } from './usage-error.js';

interface ServeOptions {
  config?: string;
  port?: number;
  host?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway (demo mode with a simulated fleet when no config and no provider key is set)')
    .option('-c, --config <file>', 'freeway.yaml or JSON config (default: ./freeway.yaml when present)')
    .option('-p, --port <n>', 'port to listen on (default 8787)', parsePort)
    .option('-H, --host <host>', 'address to bind (default 127.0.0.1; anything else needs server.apiKeys)')
    .action(async (options: ServeOptions) => {
      if (options.config && !existsSync(options.config)) throw new UsageError(`config file not found: ${options.config}`);
      const configPath = options.config ?? (existsSync('freeway.yaml') ? 'freeway.yaml' : undefined);
      const running = await startFreeway({
        ...(configPath ? { configPath } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
        env: process.env,
        log: (line) => process.stdout.write(`${line}\n`),
      }).catch((error: unknown) => {
        // A config mistake (or a refused --host) is a usage error: one clear line, exit code 2.
        if (error instanceof ConfigError || (isFreewayError(error) && error.code === 'invalid_request')) {
          throw new UsageError(error.message);
        }
        throw error;
      });
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await running.close();
    });
}
