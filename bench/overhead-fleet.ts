/**
 * The one instant provider that bench:overhead and profile-gateway load: no latency, no limits, so
 * whatever time a request takes is spent by the parties in front of it. Runs as `freeway simulate`
 * in its own process and writes the gateway config that points at it. The cache keeps its default
 * mode (deterministic requests only), so its policy runs on every request; the bench's requests
 * carry no temperature or seed, like most chat traffic, so every one goes upstream. No SQLite file:
 * the disk tier would hold nothing here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { fleetGatewayConfig, parseFleet } from '../src/simulator/index.js';
import { allocatePort, startFreewayProcess, writeTempFile, type Child } from './processes.js';

const FLEET = `
providers:
  - id: bench
    dialect: openai
    keys: [sim-bench-key]
    latency: { ttftMs: 0, tokensPerSecond: 0, jitter: 0 }
    models:
      - id: bench-model
        contextWindow: 32768
`;

/**
 * Seconds of unmeasured load each party gets per kind of request before the rounds start. Freeway
 * has far more code for V8 to optimise than a proxy: under load its answers per second climbed
 * 2.8k → 4.5k → 5.0k → 5.5k over four 3-second windows, where the proxies are steady within a second.
 * Measuring earlier would time the JIT, not the gateway a user runs for hours.
 */
export const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);

export interface OverheadFleet {
  child: Child;
  port: number;
  /** The provider's OpenAI base URL (ends in /v1). */
  baseUrl: string;
  apiKey: string;
  /** A Freeway config file routing bench-model to this provider. */
  gatewayConfigFile: string;
}

export async function startOverheadFleet(): Promise<OverheadFleet> {
  const port = allocatePort();
  const spec = parseFleet(FLEET, 'bench fleet');
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  spec.providers[0]!.baseUrl = baseUrl;
  const gatewayConfigFile = writeTempFile('freeway.yaml', stringify({ ...fleetGatewayConfig(spec), cache: { sqlitePath: null } }));
  const child = await startFreewayProcess(['simulate', '--fleet', writeTempFile('fleet.yaml', FLEET), '--port', String(port)], `${baseUrl}/models`);
  return { child, port, baseUrl, apiKey: spec.providers[0]!.keys[0]!, gatewayConfigFile };
}

/**
 * The request the overhead benches send: `json` and `stream` one short prompt, the same every time;
 * `json2k` 2,000 characters of the README behind `[<id>]`, which load({ uniqueIds }) numbers per
 * request, so every prompt is new, as in real chat traffic.
 */
export function benchRequest(kind: 'json' | 'stream' | 'json2k'): { body: string; uniqueIds: boolean } {
  const content = kind === 'json2k' ? `Request [<id>]. ${readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8').slice(0, 2_000)}` : 'Say hi';
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content }], max_tokens: 16, ...(kind === 'stream' ? { stream: true } : {}) });
  return { body, uniqueIds: kind === 'json2k' };
}
