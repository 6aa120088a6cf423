/**
 * One party of the fleet benchmark, in its own process: the time-scaled simulated fleet
 * (`--mode fleet`) or a Freeway gateway pointed at it (`--mode gateway`). Both run on a clock
 * anchored at the same wall instant (`--anchor`, epoch ms) and sped up by the same scale, so their
 * windows and calendar resets agree although they share no memory.
 *
 *   --mode fleet|gateway --fleet-port N --time-scale X --anchor MS [--seed N] [--gateway-port N] [--guard-ms N] [--redis URL] [--fleet FILE]
 *
 * Several gateways given the same `--redis` URL share one quota ledger, as a scaled-out deployment does.
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/index.js';
import { systemClock, type Clock } from '../src/core/clock.js';
import { startFreeway } from '../src/app/start-freeway.js';
import { defaultFleet, fleetGatewayConfig, loadFleetFile, startFleet } from '../src/simulator/index.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'fleet' },
    'fleet-port': { type: 'string' },
    'gateway-port': { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    anchor: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'guard-ms': { type: 'string' },
    redis: { type: 'string' },
    fleet: { type: 'string' },
  },
});

/** Wall time sped up `scale` times from `anchor`: every process given the same two numbers agrees on the time. */
function scaledClock(anchor: number, scale: number): Clock {
  return {
    now: () => anchor + (systemClock.now() - anchor) * scale,
    sleep: (ms, signal) => systemClock.sleep(ms / scale, signal),
  };
}

const clock = scaledClock(Number(values.anchor ?? systemClock.now()), Number(values['time-scale']));
const fleetPort = Number(values['fleet-port']);
const spec = values.fleet ? loadFleetFile(values.fleet) : defaultFleet();
const closers: (() => Promise<void>)[] = [];

if (values.mode === 'fleet') {
  const fleet = await startFleet(spec, { seed: Number(values.seed), clock, port: fleetPort });
  closers.push(() => fleet.close());
} else {
  const planned = { ...spec, providers: spec.providers.map((p, i) => ({ ...p, baseUrl: `http://127.0.0.1:${fleetPort + i}/v1` })) };
  const config = parseConfig(
    JSON.stringify({
      ...fleetGatewayConfig(planned),
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
    clock,
    ...(values['guard-ms'] ? { quotaDeliveryGuardMs: Number(values['guard-ms']) } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  closers.push(() => freeway.close());
}

const stop = async () => {
  setTimeout(() => process.exit(0), 2000).unref(); // a lingering keep-alive connection must not keep it alive
  for (const close of closers) await close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
