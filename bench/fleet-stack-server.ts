/**
 * One party of the fleet benchmark, run in its own process: a time-scaled simulated fleet alone
 * (`--mode fleet`, what the naive client talks to) or a fleet with a Freeway gateway in front of it
 * (`--mode gateway`). The gateway shares the fleet's clock in-process, because a time-scaled fleet's
 * windows and calendar resets only line up with the gateway's ledger when both read one clock.
 *
 *   --mode fleet|gateway --fleet-port N [--gateway-port N] --time-scale X --seed N [--guard-ms N] [--redis URL]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { startFreeway } from '../src/server/start-freeway.js';
import { defaultFleet, fleetGatewayConfig, startFleet } from '../src/simulator/index.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'gateway' },
    'fleet-port': { type: 'string' },
    'gateway-port': { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'guard-ms': { type: 'string' },
    redis: { type: 'string' },
  },
});

const timeScale = Number(values['time-scale']);
const fleet = await startFleet(defaultFleet(), { seed: Number(values.seed), timeScale, port: Number(values['fleet-port']) });
const closers: (() => Promise<void>)[] = [() => fleet.close()];

if (values.mode === 'gateway') {
  const generated = fleetGatewayConfig(fleet);
  const config = parseConfig(
    JSON.stringify({
      ...generated,
      server: { port: Number(values['gateway-port']) },
      // Every answer must come from a provider: a cache hit would be goodput the fleet never served.
      cache: { mode: 'off', sqlitePath: null },
      routing: { predictorPath: null },
      // Timeouts are in fleet time: keep them far from what a time-scaled event loop might stall.
      resilience: { firstTokenTimeoutMs: { min: 120_000, max: 600_000 }, idleTimeoutMs: 120_000 },
      ...(values.redis ? { state: { redis: values.redis } } : {}),
    }),
    { env: {}, fileName: 'bench fleet config' },
  );
  const freeway = await startFreeway({
    config,
    env: {},
    clock: fleet.clock,
    ...(values['guard-ms'] ? { quotaDeliveryGuardMs: Number(values['guard-ms']) } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  closers.unshift(() => freeway.close());
}

const stop = async () => {
  for (const close of closers) await close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
