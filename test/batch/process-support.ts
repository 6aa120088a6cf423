/**
 * Real processes for the crash tests: a small slow fleet in the test process, `freeway serve`,
 * `freeway batch` and `freeway worker` spawned as children (through tsx, from the sources) with a
 * config file pointing at that fleet. Children are killed by their own pid, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetGatewayConfig, parseFleet, startFleet, type RunningFleet } from '../../src/simulator/index.js';

export const CHAT_MODEL = 'batch-model';

export function slowFleetYaml(ttftMs: number): string {
  return `
providers:
  - id: sim-a
    dialect: openai
    keys: [sim-a-key]
    latency: { ttftMs: ${ttftMs}, tokensPerSecond: 5000, jitter: 0 }
    limits: [{ requests: 6000, per: minute }]
    models:
      - id: ${CHAT_MODEL}
        upstreamId: ${CHAT_MODEL}-v1
`;
}

export async function startSlowFleet(ttftMs = 200): Promise<RunningFleet> {
  return startFleet(parseFleet(slowFleetYaml(ttftMs), 'batch test fleet'), { seed: 5 });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a gateway config for the fleet (no response cache, so a resent line really reaches the fleet). */
export function writeConfig(dir: string, fleet: RunningFleet, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'freeway.json');
  const config = { ...fleetGatewayConfig(fleet), server: { port: 0 }, cache: { mode: 'off', sqlitePath: null }, routing: { predictorPath: null }, ...extra };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

export interface Child {
  process: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export function spawnFreeway(args: string[], cwd = process.cwd()): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test/catalog/run-cli.ts'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (data: Buffer) => {
    output += data.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return {
    process: child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            waiters.delete(check);
            resolve(match);
          } else if (child.exitCode !== null) {
            waiters.delete(check);
            reject(new Error(`process exited before ${String(pattern)}: ${output}`));
          }
        };
        waiters.add(check);
        void exited.then(check);
        check();
      }),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Total requests the fleet admitted and refused with a 429. */
export function fleetTotals(fleet: RunningFleet): { accepted: number; rejected: number } {
  const providers = Object.values(fleet.stats().providers);
  return { accepted: providers.reduce((s, p) => s + p.accepted, 0), rejected: providers.reduce((s, p) => s + p.rejected, 0) };
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (append-only file, so nothing written is lost). */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the test's own on an ephemeral port, persisted with fsync on every write. */
export async function startRedisServer(): Promise<RedisServer | undefined> {
  const port = await freePort();
  const dir = tempDir('freeway-batch-redis-');
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      started.on('error', reject);
      started.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.on('exit', () => reject(new Error(`redis-server exited: ${output}`)));
    });
  };
  try {
    await start();
  } catch {
    return undefined;
  }
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.on('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  return { url: `redis://127.0.0.1:${port}`, stop, restart: start };
}
