/**
 * tsx bench/profile-gateway.ts [json|stream|json2k] — where the gateway process spends its CPU under load
 * (json2k: unique 2,000-character prompts, as in bench:overhead).
 * Env: PROFILE_SECONDS, PROFILE_ROUNDS, PROFILE_TOP, PROFILE_CPU=0, PROFILE_BASELINE=<other checkout>/bin/freeway.js.
 * Starts the bench fleet, the bare passthrough proxy, a Fastify proxy (fastify-proxy.ts: Freeway's
 * server stack with no product in it) and a built Freeway (with `--cpu-prof`) in their own
 * processes, loads them in interleaved rounds, then prints each one's CPU time
 * per answered request (from /proc: steadier than req/s on a shared machine) and Freeway's top
 * frames by self time (function and file) and by inclusive time (package or file).
 * It measures only; bench:overhead is the benchmark of record.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocatePort, startChild, startScriptProcess, writeTempFile, type Child } from './processes.js';
import { load, median, printTable, round } from './support.js';
import { cpuMs } from './process-cpu.js';
import { benchRequest, startOverheadFleet, WARMUP_SECONDS } from './overhead-fleet.js';
import { frameLabel, type CallFrame } from './v8-profiles.js';

const MODE = process.argv[2] === 'stream' || process.argv[2] === 'json2k' ? process.argv[2] : 'json';
const SECONDS = Number(process.env['PROFILE_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['PROFILE_ROUNDS'] ?? 3);
const TOP = Number(process.env['PROFILE_TOP'] ?? 30);
/** PROFILE_CPU=0: no --cpu-prof (the sampling profiler costs CPU itself); only the CPU-per-answer table. */
const PROFILE = process.env['PROFILE_CPU'] !== '0';
const BASELINE = process.env['PROFILE_BASELINE'];


interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a file of dist/, or Node itself. */
function placeOf(url: string): string {
  const fromPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (fromPackage) return fromPackage[1]!;
  const fromDist = /\/(dist|src)\/(.*)$/.exec(url);
  if (fromDist) return `${fromDist[1]}/${fromDist[2]}`;
  return url.startsWith('node:') ? 'node' : '(native)';
}

/**
 * Self time per function (name, place, line) and inclusive time per place, as shares of all
 * samples that were not idle, counting only samples taken after `skipUs` of profiling (start-up
 * and warm-up are not the hot path).
 */
export function summarise(profile: CpuProfile, top: number, skipUs: number): { self: Row[]; inclusive: Row[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byFrame = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') continue;
    const key = frameLabel(frame);
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
    busy += us;
    const places = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) places.add(placeOf(byId.get(node)!.callFrame.url));
    for (const place of places) byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const rows = (map: Map<string, number>, name: string): Row[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => ({ '%': round((100 * us) / busy, 1), [name]: key }));
  byPlace.delete('(native)');
  return { self: rows(byFrame, 'function (self time)'), inclusive: rows(byPlace, 'place (inclusive time)') };
}

type Row = Record<string, string | number>;

async function main(): Promise<void> {
  const { child: fleet, port: fleetPort, gatewayConfigFile: configFile } = await startOverheadFleet();
  const profileDir = writeTempFile('.keep', '').replace(/\/\.keep$/, '');
  const freewayPort = allocatePort();
  const proxyPort = allocatePort();
  const proxy = await startScriptProcess('passthrough-proxy.ts', [`http://127.0.0.1:${fleetPort}`, String(proxyPort)], `http://127.0.0.1:${proxyPort}/`);
  const fastifyPort = allocatePort();
  const fastifyProxy = await startScriptProcess('fastify-proxy.ts', [`http://127.0.0.1:${fleetPort}`, String(fastifyPort)], `http://127.0.0.1:${fastifyPort}/`);
  const freewayBin = join(import.meta.dirname, '..', 'bin', 'freeway.js');
  const spawnedAt = performance.now();
  const freeway = await startChild(
    process.execPath,
    [...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), freewayBin, 'serve', '--config', configFile, '--port', String(freewayPort)],
    `http://127.0.0.1:${freewayPort}/healthz`,
  );
  // Another build of Freeway (another checkout's bin/freeway.js), loaded in the same rounds: an A/B of two versions.
  const baselinePort = allocatePort();
  const baseline = BASELINE
    ? await startChild(process.execPath, [BASELINE, 'serve', '--config', configFile, '--port', String(baselinePort)], `http://127.0.0.1:${baselinePort}/healthz`)
    : undefined;
  const { body, uniqueIds } = benchRequest(MODE);
  const targets: { name: string; child: Child; url: string; headers: Record<string, string> }[] = [
    { name: 'passthrough', child: proxy, url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`, headers: { authorization: 'Bearer sim-bench-key' } },
    { name: 'fastify proxy', child: fastifyProxy, url: `http://127.0.0.1:${fastifyPort}/v1/chat/completions`, headers: { authorization: 'Bearer sim-bench-key' } },
    { name: 'freeway', child: freeway, url: `http://127.0.0.1:${freewayPort}/v1/chat/completions`, headers: {} },
    ...(baseline ? [{ name: 'baseline', child: baseline, url: `http://127.0.0.1:${baselinePort}/v1/chat/completions`, headers: {} }] : []),
  ];
  for (const target of targets) await load({ url: target.url, headers: target.headers, body, uniqueIds, connections: 32, durationSeconds: WARMUP_SECONDS }); // warm-up (JIT)
  const skipUs = (performance.now() - spawnedAt) * 1000;
  const perAnswer: Record<string, number[]> = Object.fromEntries(targets.map(({ name }) => [name, []]));
  const rates: Record<string, number[]> = Object.fromEntries(targets.map(({ name }) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      const pid = target.child.process.pid!;
      const before = cpuMs(pid);
      const result = await load({ url: target.url, headers: target.headers, body, uniqueIds, connections: 32, durationSeconds: SECONDS });
      const answers = result.okPerSecond * SECONDS;
      perAnswer[target.name]!.push(((cpuMs(pid) - before) * 1000) / Math.max(1, answers));
      rates[target.name]!.push(result.okPerSecond);
    }
  }
  await Promise.all([freeway.stop(), baseline?.stop(), proxy.stop(), fastifyProxy.stop(), fleet.stop()]);

  const cpu = (name: string) => median(perAnswer[name]!);
  printTable(`${MODE}: ${ROUNDS} interleaved rounds × ${SECONDS}s, median`, [
    ...targets.map(({ name }) => ({ target: name, 'req/s': round(median(rates[name]!), 0), 'cpu µs/answer': round(cpu(name), 0) })),
    { target: 'freeway/passthrough', 'req/s': round(median(rates['freeway']!) / median(rates['passthrough']!)), 'cpu µs/answer': round(cpu('freeway') / cpu('passthrough')) },
    { target: 'freeway/fastify proxy', 'req/s': round(median(rates['freeway']!) / median(rates['fastify proxy']!)), 'cpu µs/answer': round(cpu('freeway') / cpu('fastify proxy')) },
    ...(baseline ? [{ target: 'freeway/baseline', 'req/s': round(median(rates['freeway']!) / median(rates['baseline']!)), 'cpu µs/answer': round(cpu('freeway') / cpu('baseline')) }] : []),
  ]);
  if (!PROFILE) return;
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const { self, inclusive } = summarise(profile, TOP, skipUs);
  printTable(`Freeway: top ${TOP} frames by self time (${join(profileDir, file)}, skip ${round(skipUs / 1e6, 1)} s)`, self);
  printTable(`Freeway: top ${TOP} places by inclusive time`, inclusive);
}

await main();
