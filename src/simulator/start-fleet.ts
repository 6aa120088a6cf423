/**
 * Starts a fleet: one loopback HTTP server per provider, all sharing one fleet clock (the injected
 * Clock, sped up by timeScale) and one seed. Owns the servers' lifetime: close() ends every
 * connection, stalled ones included, so tests and Ctrl-C never hang.
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../core/clock.js';
import { FleetClock } from './fleet-clock.js';
import type { FleetSpec } from './fleet-spec.js';
import type { FleetStats } from './fleet-stats.js';
import { ProviderRuntime } from './provider-runtime.js';
import { createProviderServer } from './provider-server.js';

export interface StartFleetOptions {
  /** Seed of every random choice (answers, latencies, faults); 0 by default. */
  seed?: number;
  /** The fleet clock runs this many times faster than `clock`. */
  timeScale?: number;
  clock?: Clock;
  host?: string;
  /** First port; provider i listens on port + i. 0 (default): an ephemeral port each. */
  port?: number;
}

export interface RunningProvider {
  id: string;
  /** Ends with /v1. */
  baseUrl: string;
  apiKeys: string[];
  dialect: string;
  /** Upstream model ids. */
  models: string[];
}

export interface RunningFleet {
  providers: RunningProvider[];
  /** The spec with every provider's baseUrl filled in. */
  spec: FleetSpec;
  clock: FleetClock;
  stats(): FleetStats;
  reset(): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startFleet(fleet: FleetSpec, options: StartFleetOptions = {}): Promise<RunningFleet> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? 0;
  const clock = new FleetClock(options.clock ?? systemClock, options.timeScale ?? 1);
  const runtimes = fleet.providers.map((provider) => new ProviderRuntime(provider, clock, seed));
  const stalled = new Set<ServerResponse>();

  const stats = (): FleetStats => {
    const providers = Object.fromEntries(runtimes.map((r) => [r.provider.id, r.stats.snapshot(r.audit)]));
    const all = Object.values(providers);
    return {
      providers,
      violations: all.reduce((sum, p) => sum + p.violations, 0),
      maxOverLimit: all.reduce((max, p) => Math.max(max, p.maxOverLimit), 0),
    };
  };
  const reset = () => runtimes.forEach((r) => r.reset());
  const hooks = {
    stats,
    reset,
    onStall: (res: ServerResponse) => {
      stalled.add(res);
      res.on('close', () => stalled.delete(res));
    },
  };

  const servers: Server[] = [];
  const providers: RunningProvider[] = [];
  try {
    for (const [index, runtime] of runtimes.entries()) {
      const server = createProviderServer(runtime, hooks);
      servers.push(server);
      const port = await listen(server, options.port ? options.port + index : 0, host);
      const { provider } = runtime;
      providers.push({
        id: provider.id,
        baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
        apiKeys: [...provider.keys],
        dialect: provider.dialect,
        models: provider.models.map((m) => m.upstreamId),
      });
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  const spec: FleetSpec = {
    ...fleet,
    providers: fleet.providers.map((p, i) => ({ ...p, baseUrl: providers[i]?.baseUrl })),
  };
  return {
    providers,
    spec,
    clock,
    stats,
    reset,
    close: async () => {
      for (const res of stalled) res.destroy();
      await Promise.all(servers.map(closeServer));
    },
  };
}
