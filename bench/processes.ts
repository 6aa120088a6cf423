/**
 * Runs each party of a benchmark in its own process, as users run them, so the load generator
 * does not share an event loop with what it measures: a simulated fleet, a Freeway gateway
 * (both through the built `freeway` binary) and any other server script.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const freewayBin = join(root, 'bin', 'freeway.js');

export interface Child {
  process: ChildProcess;
  stop(): Promise<void>;
}

// Below Linux's ephemeral range (32768 up), where outgoing connections take their local ports.
let nextPort = 20_000 + Math.floor(Math.random() * 10_000);
/** Ports for children: spaced so a fleet's providers (port + i) never collide with the next party. */
export const allocatePort = (span = 1): number => {
  const port = nextPort;
  nextPort += span + 10;
  return port;
};

export function writeTempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'freeway-bench-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited with code ${child.exitCode}`);
    const up = await fetch(url).then(() => true, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answered at ${url}`);
}

export async function startChild(command: string, args: string[], readyUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  await waitForHttp(readyUrl, child);
  return {
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const startFreewayProcess = (args: string[], readyUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Child> =>
  startChild(process.execPath, [freewayBin, ...args], readyUrl, env);

/**
 * Portkey's open-source gateway, with `portkey-fetch-shim.js` preloaded: without it every Portkey
 * streaming request fails with "TypeError: immutable" (a Portkey bug), and we want to measure Portkey, not its 500s.
 */
export function startPortkeyProcess(port: number): Promise<Child> {
  const entry = createRequire(import.meta.url).resolve('@portkey-ai/gateway/build/start-server.js');
  const shim = join(root, 'bench', 'portkey-fetch-shim.js');
  return startChild(process.execPath, ['--import', shim, entry, `--port=${port}`, '--headless'], `http://127.0.0.1:${port}/`);
}

/** Runs a TypeScript script of the bench folder in its own Node process. */
export const startScriptProcess = (script: string, args: string[], readyUrl: string): Promise<Child> =>
  startChild(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], readyUrl);
