/**
 * npm run bench:overhead — what Freeway adds on top of a provider, beside the floor of any Node
 * proxy and Portkey's open-source gateway, loaded in one run, interleaved round by round:
 *   (a) a simulated provider directly, (b) a bare undici pass-through proxy, (c) Freeway,
 *   (d) Portkey's gateway (`@portkey-ai/gateway`) pointed at the same provider.
 * Each party runs in its own process; autocannon runs in this one. Prints throughput (2xx answers
 * per second), added p50/p99 latency against the direct run (each answer's latency to the µs, not
 * autocannon's whole milliseconds), and p99 at a fixed 500 requests per second, sent open loop and
 * evenly spaced (paced-load.ts; autocannon's fixed rate sends each second's share in one burst).
 * Modes (benchRequest): `json` and `stream` send one short prompt, the same every time; `json2k` a
 * new 2,000-character prompt per request, as real chat traffic is: what Freeway reads from a prompt
 * (token estimate, task signals) costs in proportion to its length.
 */
import { allocatePort, startFreewayProcess, startPortkeyProcess, startScriptProcess, type Child } from './processes.js';
import { cpuMs } from './process-cpu.js';
import { benchRequest, startOverheadFleet, WARMUP_SECONDS } from './overhead-fleet.js';
import { loadAtRate } from './paced-load.js';
import { load, median, printTable, round, writeResult, type LoadResult } from './support.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const CONNECTIONS = 32;


async function main(): Promise<void> {
  const { child: fleet, port: fleetPort, baseUrl, apiKey, gatewayConfigFile: configFile } = await startOverheadFleet();

  const freewayPort = allocatePort();
  const proxyPort = allocatePort();
  const portkeyPort = allocatePort();
  const freeway = await startFreewayProcess(['serve', '--config', configFile, '--port', String(freewayPort)], `http://127.0.0.1:${freewayPort}/healthz`);
  const proxy = await startScriptProcess('passthrough-proxy.ts', [`http://127.0.0.1:${fleetPort}`, String(proxyPort)], `http://127.0.0.1:${proxyPort}/`);
  const portkey = await startPortkeyProcess(portkeyPort);
  const children: Child[] = [fleet, freeway, proxy, portkey];

  const auth = { authorization: `Bearer ${apiKey}` };
  const targets = {
    direct: { url: `${baseUrl}/chat/completions`, headers: auth },
    passthrough: { url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`, headers: auth },
    freeway: { url: `http://127.0.0.1:${freewayPort}/v1/chat/completions`, headers: {} },
    portkey: {
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': baseUrl },
    },
  } as const;
  type Target = keyof typeof targets;
  // The process whose CPU time each target costs (direct: the provider itself). CPU per answer is
  // steadier than answers per second on a shared machine, where other work takes the cores.
  const processOf: Record<Target, Child> = { direct: fleet, passthrough: proxy, freeway, portkey };
  const requests = { json: benchRequest('json'), stream: benchRequest('stream'), json2k: benchRequest('json2k') };

  const modes = ['json', 'stream', 'rate500', 'json2k'] as const;
  type Mode = (typeof modes)[number];
  const emptyRuns = (): Record<Target, LoadResult[]> => ({ direct: [], passthrough: [], freeway: [], portkey: [] });
  const emptyCpu = (): Record<Target, number[]> => ({ direct: [], passthrough: [], freeway: [], portkey: [] });
  const results = { json: emptyRuns(), stream: emptyRuns(), rate500: emptyRuns(), json2k: emptyRuns() };
  const cpuPerAnswer = { json: emptyCpu(), stream: emptyCpu(), rate500: emptyCpu(), json2k: emptyCpu() };
  // Every party gets the same unmeasured warm-up in every kind of request (WARMUP_SECONDS says why).
  for (const request of Object.values(requests)) {
    for (const name of Object.keys(targets) as Target[]) {
      await load({ url: targets[name].url, headers: targets[name].headers, ...request, connections: CONNECTIONS, durationSeconds: WARMUP_SECONDS });
    }
  }
  for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex++) {
    for (const mode of modes) {
      for (const name of Object.keys(targets) as Target[]) {
        const pid = processOf[name].process.pid ?? 0;
        const cpuBefore = cpuMs(pid);
        const { url, headers } = targets[name];
        const result =
          mode === 'rate500'
            ? await loadAtRate({ url, headers, body: requests.json.body, requestsPerSecond: 500, durationSeconds: SECONDS })
            : await load({ url, headers, ...requests[mode], connections: CONNECTIONS, durationSeconds: SECONDS });
        results[mode][name].push(result);
        const answers = result.okPerSecond * SECONDS;
        cpuPerAnswer[mode][name].push(answers > 0 ? ((cpuMs(pid) - cpuBefore) * 1000) / answers : 0);
      }
    }
  }

  const summary: Record<string, unknown> = {};
  for (const mode of modes) {
    const byTarget = results[mode];
    const baseP50 = median(byTarget.direct.map((r) => r.p50Ms));
    const baseP99 = median(byTarget.direct.map((r) => r.p99Ms));
    const rows = (Object.keys(byTarget) as Target[]).map((name) => {
      const runs = byTarget[name];
      return {
        target: name,
        'req/s': round(median(runs.map((r) => r.okPerSecond)), 0),
        'p50 ms': round(median(runs.map((r) => r.p50Ms)), 3),
        'p99 ms': round(median(runs.map((r) => r.p99Ms)), 3),
        'added p50 ms': round(median(runs.map((r) => r.p50Ms)) - baseP50),
        'added p99 ms': round(median(runs.map((r) => r.p99Ms)) - baseP99),
        'cpu µs/answer': round(median(cpuPerAnswer[mode][name]), 0),
        errors: runs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      };
    });
    printTable(`${mode} (${ROUNDS} interleaved rounds × ${SECONDS}s, median)`, rows);
    summary[mode] = rows;
  }
  // Successful answers only: failures are not throughput.
  const rps = (mode: Mode, name: Target) => median(results[mode][name].map((r) => r.okPerSecond));
  const p99 = (name: Target) => median(results.rate500[name].map((r) => r.p99Ms));
  const cpu = (mode: Mode, name: Target) => median(cpuPerAnswer[mode][name]);
  const ratios = {
    'freeway/portkey': round(rps('json', 'freeway') / rps('json', 'portkey')),
    'freeway/passthrough': round(rps('json', 'freeway') / rps('json', 'passthrough')),
    'stream freeway/portkey': round(rps('stream', 'freeway') / rps('stream', 'portkey')),
    'stream freeway/passthrough': round(rps('stream', 'freeway') / rps('stream', 'passthrough')),
    '2k prompts freeway/passthrough': round(rps('json2k', 'freeway') / rps('json2k', 'passthrough')),
    'added p99 @500rps ms': round(p99('freeway') - p99('direct')),
    // The floor any Node proxy adds at that rate, measured beside it.
    'passthrough added p99 @500rps ms': round(p99('passthrough') - p99('direct')),
    // The same comparison in CPU per answer (the passthrough's over Freeway's, so higher is better, like the others).
    'cpu passthrough/freeway': round(cpu('json', 'passthrough') / cpu('json', 'freeway')),
    'stream cpu passthrough/freeway': round(cpu('stream', 'passthrough') / cpu('stream', 'freeway')),
  };
  printTable('ratios (targets: freeway/portkey ≥ 8, freeway/passthrough ≥ 0.85, stream ≥ 0.75, added p99 at 500 rps ≤ 1.5 ms)', [ratios]);
  console.log(`wrote ${writeResult('overhead', { rounds: ROUNDS, seconds: SECONDS, summary, ratios })}`);
  for (const child of children.reverse()) await child.stop();
}

await main();
