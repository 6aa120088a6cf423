/**
 * Starts a simulated fleet and a Freeway gateway pointed at it, both on loopback ports, the way
 * a user would run them. Tests talk to `freeway.url` with real HTTP clients.
 */
import { parseConfig } from '../../src/config/index.js';
import type { Clock } from '../../src/core/clock.js';
import { startFreeway, type RunningFreeway } from '../../src/app/start-freeway.js';
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
  /** Base clock of the fleet; with it or a timeScale, the gateway runs on the fleet's clock too. */
  clock?: Clock;
  /** Edits the generated gateway config before overrides (e.g. hide a limit so it must be learned). */
  shapeConfig?: (generated: Record<string, unknown>) => Record<string, unknown>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const { defaultFleet } = await import('../../src/simulator/index.js');
  const spec = options.fleetYaml ? parseFleet(options.fleetYaml, 'test fleet') : defaultFleet();
  const fleet = await startFleet(spec, { seed: options.seed ?? 7, ...(options.timeScale ? { timeScale: options.timeScale } : {}), ...(options.clock ? { clock: options.clock } : {}) });
  const fleetConfig = fleetGatewayConfig(fleet) as Record<string, unknown>;
  const generated = options.shapeConfig ? options.shapeConfig(fleetConfig) : fleetConfig;
  const merged = { ...generated, ...options.overrides, server: { port: 0, ...(options.overrides?.['server'] as object) }, cache: { sqlitePath: null, ...(options.overrides?.['cache'] as object) }, routing: { predictorPath: null, ...(options.overrides?.['routing'] as object) }, batch: { sqlitePath: null, ...(options.overrides?.['batch'] as object) } };
  const config = parseConfig(JSON.stringify(merged), { env: {}, fileName: 'test config' });
  const sharesClock = options.clock !== undefined || options.timeScale !== undefined;
  const freeway = await startFreeway({ config, env: {}, ...(sharesClock ? { clock: fleet.clock } : {}) });
  return {
    fleet,
    freeway,
    close: async () => {
      await freeway.close();
      await fleet.close();
    },
  };
}
