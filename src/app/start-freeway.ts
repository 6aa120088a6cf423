/**
 * The composition root: starts a whole Freeway from config (a file, the provider keys in the
 * environment, or demo mode with the simulated fleet in-process), the gateway and the HTTP server.
 * The CLI, the end-to-end tests and the benchmarks all start Freeway through here, so what is tested
 * is what users run. It wires parts together; serving HTTP is src/server's job, requests the gateway's.
 */
import type { AddressInfo } from 'node:net';
import { loadConfigFile, parseConfig, type FreewayConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { FreewayError } from '../core/errors.js';
import { startBatchRuntime, type BatchRuntime } from '../batch/batch-runtime.js';
import { createGateway } from '../gateway/create-gateway.js';
import type { Gateway } from '../gateway/types.js';
import { defaultFleet, fleetGatewayConfig, startFleet, type RunningFleet } from '../simulator/index.js';
import { configFromEnvironment } from './config-from-environment.js';
import { createServer } from '../server/create-server.js';

export interface StartOptions {
  configPath?: string;
  /** A config already parsed (tests); wins over configPath. */
  config?: FreewayConfig;
  port?: number;
  host?: string;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  logRequests?: boolean;
  /** The gateway's clock (tests and benchmarks share a time-scaled fleet's clock); the system clock by default. */
  clock?: Clock;
  /** See GatewayDeps.quotaDeliveryGuardMs: a time-scaled fleet stretches delivery jitter with its clock. */
  quotaDeliveryGuardMs?: number;
}

export interface RunningFreeway {
  url: string;
  gateway: Gateway;
  config: FreewayConfig;
  /** The batch store, API and engine this process runs. */
  batches: BatchRuntime;
  /** The in-process simulated fleet, in demo mode. */
  fleet?: RunningFleet;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startFreeway(options: StartOptions): Promise<RunningFreeway> {
  const log = options.log ?? (() => {});
  let config = options.config ?? (options.configPath ? loadConfigFile(options.configPath, options.env) : configFromEnvironment(options.env));
  let fleet: RunningFleet | undefined;
  if (!config) {
    fleet = await startFleet(defaultFleet(), { seed: 1 });
    // Simulated latencies must not be learned into the file a real configuration will load later.
    const demo = { ...fleetGatewayConfig(fleet), routing: { predictorPath: null } };
    config = parseConfig(JSON.stringify(demo), { env: options.env, fileName: 'demo fleet' });
  }
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  if (!LOOPBACK.has(host) && config.server.apiKeys.length === 0) {
    await fleet?.close();
    throw new FreewayError('invalid_request', `Refusing to bind ${host} without server.apiKeys: set keys in the config to serve beyond loopback`);
  }

  const gateway = await createGateway(config, {
    env: options.env,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.quotaDeliveryGuardMs !== undefined ? { quotaDeliveryGuardMs: options.quotaDeliveryGuardMs } : {}),
  });
  const batches = await startBatchRuntime({ config, gateway, log, ...(options.clock ? { clock: options.clock } : {}) });
  const secrets = [...config.server.apiKeys, ...config.providers.flatMap((p): string[] => p.apiKeys)];
  const server = createServer({
    gateway: batches.gateway,
    batches: { service: batches.service, maxFileBytes: batches.maxFileBytes },
    apiKeys: config.server.apiKeys,
    bodyLimitBytes: config.server.bodyLimitBytes,
    defaultMaxWaitMs: config.quota.defaultMaxWaitMs,
    logger: options.logRequests ?? false,
    secrets,
  });
  await server.listen({ host, port });
  const address = server.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  if (fleet) log(demoBanner(url, fleet));
  else log(`Freeway is serving ${config.providers.length} provider(s) at ${url}/v1`);

  return {
    url,
    gateway,
    config,
    batches,
    ...(fleet ? { fleet } : {}),
    close: async () => {
      await server.close();
      await batches.close();
      await gateway.close();
      await fleet?.close();
    },
  };
}

function demoBanner(url: string, fleet: RunningFleet): string {
  const providers = fleet.providers.map((p) => p.id).join(', ');
  return [
    '',
    '  ┌─ Freeway DEMO MODE ─────────────────────────────────────────────────────',
    '  │ No config file and no provider key found, so Freeway is routing to a',
    `  │ SIMULATED fleet running in this process (${providers}).`,
    '  │ Answers are generated text, not real models. Set a key such as GROQ_API_KEY,',
    '  │ or write a freeway.yaml, to use real free tiers.',
    '  └──────────────────────────────────────────────────────────────────────────',
    '',
    `  Gateway: ${url}/v1   Dashboard: ${url}/ui`,
    '',
    '  Try it:',
    `  curl ${url}/v1/chat/completions -H 'content-type: application/json' \\`,
    `    -d '{"model":"auto","messages":[{"role":"user","content":"Say hello"}]}'`,
    '',
  ].join('\n');
}
