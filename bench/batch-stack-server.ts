/**
 * One party of the batch benchmark, in its own process, on a clock anchored at the same wall
 * instant and sped up by the same scale as the fleet's (see fleet-stack-server.ts): a Freeway
 * gateway that runs batches (`--mode gateway`, embedded SQLite or `--redis`), or a batch worker
 * on the shared Redis queue (`--mode worker`, prints "ready" when taking lines).
 *
 *   --mode gateway|worker --fleet-port N --time-scale X --anchor MS [--gateway-port N] [--redis URL] [--sqlite FILE] [--concurrency N] [--interactive-reserve X]
 */
import { parseArgs } from 'node:util';
import { startWorker } from '../src/batch/run-worker.js';
import { parseConfig } from '../src/config/index.js';
import { systemClock, type Clock } from '../src/core/clock.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startFreeway } from '../src/app/start-freeway.js';
import { defaultFleet, fleetGatewayConfig } from '../src/simulator/index.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'gateway' },
    'fleet-port': { type: 'string' },
    'gateway-port': { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    anchor: { type: 'string' },
    redis: { type: 'string' },
    sqlite: { type: 'string' },
    concurrency: { type: 'string' },
    'guard-ms': { type: 'string' },
    'interactive-reserve': { type: 'string' },
  },
});

const scale = Number(values['time-scale']);
const anchor = Number(values.anchor ?? systemClock.now());
const clock: Clock = { now: () => anchor + (systemClock.now() - anchor) * scale, sleep: (ms, signal) => systemClock.sleep(ms / scale, signal) };
const fleetPort = Number(values['fleet-port']);
const spec = defaultFleet();
const planned = { ...spec, providers: spec.providers.map((p, i) => ({ ...p, baseUrl: `http://127.0.0.1:${fleetPort + i}/v1` })) };
const config = parseConfig(
  JSON.stringify({
    ...fleetGatewayConfig(planned),
    server: { port: Number(values['gateway-port']) },
    cache: { mode: 'off', sqlitePath: null },
    routing: { predictorPath: null },
    resilience: { firstTokenTimeoutMs: { min: 120_000, max: 600_000 }, idleTimeoutMs: 120_000 },
    ...(values['interactive-reserve'] !== undefined ? { quota: { interactiveReserve: Number(values['interactive-reserve']) } } : {}),
    batch: { ...(values.concurrency ? { concurrency: Number(values.concurrency) } : {}), sqlitePath: values.sqlite ?? null, leaseMs: 600_000 },
    ...(values.redis ? { state: { redis: values.redis } } : {}),
  }),
  { env: {}, fileName: 'bench batch config' },
);

const guard = values['guard-ms'] ? { quotaDeliveryGuardMs: Number(values['guard-ms']) } : {};
const closers: (() => Promise<void>)[] = [];
if (values.mode === 'gateway') {
  const freeway = await startFreeway({ config, env: {}, clock, ...guard, log: (line) => process.stderr.write(`${line}\n`) });
  closers.push(() => freeway.close());
} else {
  const gateway = await createGateway(config, { env: {}, clock, ...guard });
  const worker = await startWorker({ config, gateway, clock, log: (line) => process.stderr.write(`${line}\n`) });
  closers.push(async () => {
    await worker.stop();
    await gateway.close();
  });
  process.stdout.write('ready\n');
}

const stop = async () => {
  setTimeout(() => process.exit(0), 3000).unref();
  for (const close of closers) await close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
