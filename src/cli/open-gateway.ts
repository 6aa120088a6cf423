/**
 * A gateway in this process without an HTTP server, for commands that run batches (`freeway
 * batch`, `freeway worker`): the config file, else the provider keys in the environment, else the
 * built-in simulated fleet in demo mode, the way `freeway serve` chooses.
 */
import { existsSync } from 'node:fs';
import { loadConfigFile, parseConfig, type FreewayConfig } from '../config/index.js';
import { createGateway } from '../gateway/create-gateway.js';
import type { Gateway } from '../gateway/types.js';
import { configFromEnvironment } from '../app/config-from-environment.js';
import { defaultFleet, fleetGatewayConfig, startFleet, type RunningFleet } from '../simulator/index.js';
import { UsageError } from './usage-error.js';

export interface OpenGateway {
  config: FreewayConfig;
  gateway: Gateway;
  isDemo: boolean;
  close(): Promise<void>;
}

export async function openGateway(configOption: string | undefined, log: (line: string) => void): Promise<OpenGateway> {
  if (configOption && !existsSync(configOption)) throw new UsageError(`config file not found: ${configOption}`);
  const configPath = configOption ?? (existsSync('freeway.yaml') ? 'freeway.yaml' : undefined);
  let config = configPath ? loadConfigFile(configPath, process.env) : configFromEnvironment(process.env);
  let fleet: RunningFleet | undefined;
  if (!config) {
    fleet = await startFleet(defaultFleet(), { seed: 1 });
    const demo = { ...fleetGatewayConfig(fleet), routing: { predictorPath: null } };
    config = parseConfig(JSON.stringify(demo), { env: process.env, fileName: 'demo fleet' });
    log('Demo mode: no config file and no provider key, so lines go to a SIMULATED fleet in this process (generated text, not real models).');
  }
  const gateway = await createGateway(config, { env: process.env, log });
  return {
    config,
    gateway,
    isDemo: fleet !== undefined,
    close: async () => {
      await gateway.close();
      await fleet?.close();
    },
  };
}
