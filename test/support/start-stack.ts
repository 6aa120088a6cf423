/**
 * Starts a simulated fleet and a Freeway gateway pointed at it, both on loopback ports, the way
 * a user would run them. Tests talk to `freeway.url` with real HTTP clients.
 */
import { parseConfig } from '../../src/config/index.js';
import { startFreeway, type RunningFreeway } from '../../src/server/start-freeway.js';
import { fleetGatewayConfig, parseFleet, startFleet, type RunningFleet } from '../../src/simulator/index.js';

export interface Stack {
  fleet: RunningFleet;
  freeway: RunningFreeway;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Fleet YAML; the built-in default fleet when absent. */
  fleetYaml?: string;
  /** Merged over the generated gateway config (server, cache, resilience, routing…). */
  overrides?: Record<string, unknown>;
  seed?: number;
  timeScale?: number;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const { defaultFleet } = await import('../../src/simulator/index.js');
  const spec = options.fleetYaml ? parseFleet(options.fleetYaml, 'test fleet') : defaultFleet();
  const fleet = await startFleet(spec, { seed: options.seed ?? 7, ...(options.timeScale ? { timeScale: options.timeScale } : {}) });
  const generated = fleetGatewayConfig(fleet) as Record<string, unknown>;
  const merged = { ...generated, ...options.overrides, server: { port: 0, ...(options.overrides?.['server'] as object) }, cache: { sqlitePath: null, ...(options.overrides?.['cache'] as object) } };
  const config = parseConfig(JSON.stringify(merged), { env: {}, fileName: 'test config' });
  const freeway = await startFreeway({ config, env: {} });
  return {
    fleet,
    freeway,
    close: async () => {
      await freeway.close();
      await fleet.close();
    },
  };
}
