/**
 * `freeway simulate`: runs a simulated fleet on loopback until SIGINT/SIGTERM, printing one base URL
 * per provider (and, with --print-config, the freeway.yaml that points at it). Argument parsing only:
 * the fleet itself is src/simulator. API keys are not printed on start (they are in the fleet file).
 */
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { defaultFleet, fleetGatewayConfig, loadFleetFile, startFleet, FleetFileError } from '../simulator/index.js';
import { UsageError } from './usage-error.js';

interface SimulateOptions {
  fleet?: string;
  port: string;
  seed: string;
  timeScale: string;
  printConfig?: boolean;
}

function integerFlag(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < min || value > max)
    throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Run a fleet of simulated free-tier providers on loopback, one base URL per provider')
    .option('--fleet <file>', 'fleet file (YAML or JSON); the built-in default fleet when absent')
    .option('--port <n>', 'first port: provider i listens on port + i (0 = a free port)', '0')
    .option('--seed <n>', 'seed for answers, latencies and faults', '0')
    .option('--time-scale <x>', "run the fleet's clock X times faster (windows, resets, latencies)", '1')
    .option('--print-config', 'print the freeway.yaml that points a gateway at this fleet')
    .action(async (options: SimulateOptions) => {
      const port = integerFlag('port', options.port, 0, 65535);
      const seed = integerFlag('seed', options.seed, 0, 2 ** 31 - 1);
      const timeScale = Number(options.timeScale);
      if (!Number.isFinite(timeScale) || timeScale <= 0)
        throw new UsageError(`--time-scale expects a positive number, got "${options.timeScale}"`);
      let spec;
      try {
        spec = options.fleet ? loadFleetFile(options.fleet) : defaultFleet();
      } catch (error) {
        if (error instanceof FleetFileError) throw new UsageError(error.message);
        throw error;
      }
      const fleet = await startFleet(spec, { seed, timeScale, port });
      // With --print-config stdout carries the YAML alone, so `> freeway.yaml` works; the banner goes to stderr.
      const banner = options.printConfig ? process.stderr : process.stdout;
      const width = Math.max(...fleet.providers.map((p) => p.id.length));
      banner.write(`Simulated fleet (seed ${seed}, time scale ${timeScale}x):\n`);
      for (const provider of fleet.providers) {
        banner.write(
          `  ${provider.id.padEnd(width)}  ${provider.baseUrl}  (${provider.dialect}, ${provider.models.length} models)\n`,
        );
      }
      banner.write('Stats: GET /_sim/stats on any provider. Ctrl-C stops.\n');
      if (options.printConfig)
        process.stdout.write(`# freeway.yaml for this simulated fleet\n${stringify(fleetGatewayConfig(fleet))}`);
      await waitForSignal();
      await fleet.close();
    });
}
