/**
 * `freeway status [--url URL] [--watch]`: reads GET /v1/freeway/state from a running gateway and
 * prints it as tables (render-status.ts). FREEWAY_API_KEY, when set, is sent as the Bearer key and
 * never printed. A bad or unreachable URL is a UsageError: one line on stderr, exit code 2.
 */
import type { Command } from 'commander';
import { renderStatus, type StateView } from './render-status.js';
import { UsageError } from './usage-error.js';

export interface StatusCommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Ends --watch (tests); Ctrl-C otherwise. */
  signal?: AbortSignal;
}

const DEFAULT_URL = 'http://127.0.0.1:8787';
const WATCH_INTERVAL_MS = 2000;

export function registerStatusCommand(program: Command, io: StatusCommandIo = { stdout: process.stdout, env: process.env }): void {
  program
    .command('status')
    .description("Show a running gateway's providers, quota left and resets, breakers, queue and batches")
    .option('--url <url>', 'the gateway', DEFAULT_URL)
    .option('--watch', `refresh every ${WATCH_INTERVAL_MS / 1000} s until interrupted`)
    .action(async (options: { url: string; watch?: boolean }) => {
      const base = parseBase(options.url);
      const key = io.env['FREEWAY_API_KEY'];
      const show = async () => {
        const text = renderStatus(await fetchState(base, key), base);
        io.stdout.write(options.watch && io.stdout.isTTY ? `\u001b[2J\u001b[H${text}` : options.watch ? `${text}\n` : text);
      };
      await show();
      if (!options.watch) return;
      const signal = io.signal;
      while (!signal?.aborted) {
        const stopped = await pause(WATCH_INTERVAL_MS, signal);
        if (stopped) return;
        await show();
      }
    });
}

function parseBase(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, not '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, not '${raw}'`);
  return url.origin + url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
}

async function fetchState(base: string, key: string | undefined): Promise<StateView> {
  let response: Response;
  try {
    response = await fetch(`${base}/v1/freeway/state`, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new UsageError(`cannot reach a gateway at ${base} (${rootCause(error)})`);
  }
  if (response.status === 401) throw new UsageError(`${base} needs an API key: set FREEWAY_API_KEY`);
  if (!response.ok) throw new UsageError(`${base}/v1/freeway/state answered HTTP ${response.status}: is this a Freeway gateway?`);
  try {
    return (await response.json()) as StateView;
  } catch {
    throw new UsageError(`${base}/v1/freeway/state did not answer JSON: is this a Freeway gateway?`);
  }
}

/** Resolves true when `signal` ends the wait early. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ECONNREFUSED, ENOTFOUND…: the innermost cause says more than undici's 'fetch failed'. */
function rootCause(error: unknown): string {
  let current = error as { cause?: unknown; code?: string; message?: string } | undefined;
  while (current?.cause) current = current.cause;
  return current?.code ?? current?.message ?? String(error);
}
