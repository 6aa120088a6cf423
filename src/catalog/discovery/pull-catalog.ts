/**
 * `freeway catalog pull`: asks every provider with a model-list endpoint for its models, concurrently
 * under a bound, each provider paced and retried (fetch-json.ts), each answer cached on disk with a TTL.
 * A provider that fails is reported and skipped; its models stay as they were. Writes catalog.json and
 * the markdown listing when given a directory. Time, randomness and HTTP come in through deps.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { systemClock } from '../../core/clock.js';
import type { Catalog, CatalogModel, CatalogProvider, RawModel } from '../catalog-schema.js';
import { loadCatalog, resolveProviderBaseUrl, toCatalogModel } from '../load-catalog.js';
import { createUpstreamClient } from '../../upstream/index.js';
import { renderCatalogMarkdown } from '../render-catalog-markdown.js';
import { diffModels, modelsByProvider, readSnapshotModels, type ModelChange } from './catalog-snapshot.js';
import { DiscoveryCache } from './discovery-cache.js';
import {
  createPacedGetter,
  defaultFetchPolicy,
  DiscoveryError,
  type FetchDeps,
  type FetchPolicy,
} from './fetch-json.js';
import { modelListers, type ModelLister } from './model-listers.js';

export interface PullOptions {
  /** Where catalog.json and catalog.md are written (and the previous snapshot is read); nothing is written without it. */
  outDir?: string;
  /** Default: `<outDir>/.cache`, or `.freeway/discovery-cache` without an outDir. */
  cacheDir?: string;
  /** Ignore cached answers (they are still rewritten). */
  refresh?: boolean;
  concurrency?: number;
  cacheTtlMs?: number;
  policy?: Partial<FetchPolicy>;
  env?: Readonly<Record<string, string | undefined>>;
  /** Discovery base URL per provider id; also `FREEWAY_DISCOVERY_BASE_URL_<ID>` in env (id upper-cased, `-` → `_`). */
  baseUrls?: Readonly<Record<string, string>>;
  catalog?: Catalog;
  listers?: readonly ModelLister[];
}

export interface PullDeps extends FetchDeps {
  /** Where the GETs go when no upstream client is given (tests point it at local servers). */
  dispatcher?: Dispatcher;
  onProgress?: (event: { done: number; total: number; providerId: string }) => void;
}

export interface ProviderOutcome {
  providerId: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or failed, or what an ok run noticed (cached, models left out). */
  detail: string;
  models: number;
  fromCache: boolean;
  /** Requests sent, retries included. */
  requests: number;
}

export interface PullResult {
  catalog: Catalog;
  outcomes: ProviderOutcome[];
  /** Models that no name table knows yet: give them a display name. */
  unnamed: ModelChange[];
  added: ModelChange[];
  removed: ModelChange[];
  baseline: 'previous snapshot' | 'built-in catalog';
  files?: { json: string; markdown: string };
}

export const defaultCacheTtlMs = 6 * 60 * 60 * 1000;

export const discoveryBaseUrlEnvVar = (providerId: string): string =>
  `FREEWAY_DISCOVERY_BASE_URL_${providerId.toUpperCase().replace(/-/g, '_')}`;

const firstSet = (names: readonly string[], env: PullOptions['env'] = {}): string | undefined =>
  names.map((name) => env[name]).find((value) => value !== undefined && value !== '');

/** Runs `task` over `items`, at most `limit` at a time, keeping the input order in the results. */
async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Discovered models laid over what the catalog knew: known ids keep their limits and facts. */
function mergeModels(provider: CatalogProvider, discovered: readonly RawModel[], keepOnlyKnown: boolean) {
  const known = new Map(provider.models.map((model) => [model.upstreamId.toLowerCase(), model]));
  const models: CatalogModel[] = [];
  const seen = new Set<string>();
  let leftOut = 0;
  for (const raw of discovered) {
    const before = known.get(raw.upstreamId.toLowerCase());
    if (!before && keepOnlyKnown) {
      leftOut += 1;
      continue;
    }
    const fresh = toCatalogModel({ ...raw, limits: [] }, provider.calendarTimeZone);
    const model: CatalogModel = before
      ? {
          ...before,
          ...definedOnly(fresh),
          id: before.id,
          displayName: before.displayName,
          hasDisplayName: before.hasDisplayName,
          limits: before.limits,
          tags: [...new Set([...before.tags, ...fresh.tags])],
        }
      : fresh;
    // Two upstream ids for one set of weights (say an FP8 and a plain build): the first one listed serves the pool.
    if (seen.has(model.id)) continue;
    seen.add(model.id);
    models.push(model);
  }
  return { models, leftOut };
}

function definedOnly(model: CatalogModel): Partial<CatalogModel> {
  const result: Partial<CatalogModel> = { upstreamId: model.upstreamId };
  if (model.contextWindow !== undefined) result.contextWindow = model.contextWindow;
  if (model.maxOutputTokens !== undefined) result.maxOutputTokens = model.maxOutputTokens;
  if (model.params !== undefined) result.params = model.params;
  return result;
}

interface ListOutcome {
  outcome: ProviderOutcome;
  discovered?: RawModel[];
}

/** What one provider's listing needs besides the lister: the run's options, cache, policy and HTTP. */
interface ListRun {
  options: PullOptions;
  env: NonNullable<PullOptions['env']>;
  catalog: Catalog;
  cache: DiscoveryCache;
  policy: FetchPolicy;
  fetchDeps: FetchDeps;
}

const outcomeOf = (providerId: string, status: ProviderOutcome['status'], detail: string, extra: Partial<ProviderOutcome> = {}): ProviderOutcome => ({
  providerId,
  status,
  detail,
  models: 0,
  fromCache: false,
  requests: 0,
  ...extra,
});

/** The discovery base URL of a provider: option, then environment, then the lister's default; `{VAR}`s filled in. */
function discoveryBaseUrl(lister: ModelLister, run: ListRun): string {
  const template = run.options.baseUrls?.[lister.providerId] ?? run.env[discoveryBaseUrlEnvVar(lister.providerId)] ?? lister.defaultBaseUrl;
  return resolveProviderBaseUrl({ id: lister.providerId, baseUrl: template }, run.env)?.replace(/\/+$/, '') ?? template;
}

/** Lists one provider's models: skipped without a key, from the cache when fresh, else asked (paced, retried). */
async function listProvider(lister: ModelLister, run: ListRun): Promise<ListOutcome> {
  const provider = run.catalog.providers.find((p) => p.id === lister.providerId) as CatalogProvider;
  const outcome = (status: ProviderOutcome['status'], detail: string, extra: Partial<ProviderOutcome> = {}) => outcomeOf(lister.providerId, status, detail, extra);
  const apiKey = firstSet(provider.keyEnvVars, run.env);
  if (lister.needsKey && apiKey === undefined) return { outcome: outcome('skipped', `no key (${provider.keyEnvVars.join(' or ')})`) };
  const cached = run.options.refresh ? undefined : await run.cache.read(lister.providerId, run.fetchDeps.clock.now());
  if (cached) return { outcome: outcome('ok', 'cached', { fromCache: true }), discovered: cached.models };
  let baseUrl: string;
  try {
    baseUrl = discoveryBaseUrl(lister, run);
  } catch (error) {
    return { outcome: outcome('skipped', error instanceof Error ? error.message : 'base URL unknown') };
  }
  const getter = createPacedGetter(lister.paceMs, run.policy, run.fetchDeps, apiKey ? [apiKey] : []);
  try {
    const discovered = await lister.list({ baseUrl, apiKey, get: getter.get });
    await run.cache.write(lister.providerId, { fetchedAt: run.fetchDeps.clock.now(), models: discovered });
    return { outcome: outcome('ok', '', { requests: getter.attempts }), discovered };
  } catch (error) {
    // Only DiscoveryError messages are known to be free of keys and bodies; anything else is named, not quoted.
    const reason = error instanceof DiscoveryError ? error.message : `unexpected ${error instanceof Error ? error.name : 'error'} while reading the answer`;
    return { outcome: outcome('failed', reason, { requests: getter.attempts }) };
  }
}

/** The catalog with each refreshed provider's models merged in; the others keep what the last snapshot had. */
function mergeListings(catalog: Catalog, listed: readonly ListOutcome[], listers: readonly ModelLister[], previous: Map<string, CatalogModel[]> | undefined): CatalogProvider[] {
  const byId = new Map(listed.map((entry) => [entry.outcome.providerId, entry]));
  return catalog.providers.map((provider): CatalogProvider => {
    const entry = byId.get(provider.id);
    if (entry?.discovered) {
      const lister = listers.find((l) => l.providerId === provider.id);
      const { models, leftOut } = mergeModels(provider, entry.discovered, lister?.keepOnlyKnown === true);
      entry.outcome.models = models.length;
      const notes = [entry.outcome.detail, leftOut > 0 ? `${leftOut} listed but not known to be free` : ''].filter(Boolean);
      entry.outcome.detail = notes.join('; ');
      return { ...provider, models };
    }
    // Not refreshed this time: keep what the last snapshot had, so nothing looks removed.
    return { ...provider, models: previous?.get(provider.id) ?? provider.models };
  });
}

/** Models of refreshed providers that no name table knows yet. */
function unnamedModels(next: Catalog, listed: readonly ListOutcome[]): ModelChange[] {
  const refreshed = new Set(listed.filter((entry) => entry.discovered).map((entry) => entry.outcome.providerId));
  return next.providers
    .filter((provider) => refreshed.has(provider.id))
    .flatMap((provider) =>
      provider.models.filter((model) => !model.hasDisplayName).map((model) => ({ providerId: provider.id, upstreamId: model.upstreamId, id: model.id })),
    );
}

async function writeSnapshot(outDir: string, snapshotPath: string, next: Catalog): Promise<{ json: string; markdown: string }> {
  await mkdir(outDir, { recursive: true });
  const markdown = join(outDir, 'catalog.md');
  await writeFile(snapshotPath, `${JSON.stringify(next, null, 2)}\n`);
  await writeFile(markdown, renderCatalogMarkdown(next));
  return { json: snapshotPath, markdown };
}

export async function pullCatalog(options: PullOptions = {}, deps: Partial<PullDeps> = {}): Promise<PullResult> {
  const clock = deps.clock ?? systemClock;
  // A run owns its upstream client unless one is injected, so the process can exit as soon as it is done.
  // Its deadlines run on real time (the network is real); pacing and backoff run on `clock`.
  const upstream = deps.upstream ?? createUpstreamClient(deps.dispatcher ? { dispatcher: deps.dispatcher } : {});
  const ownsUpstream = deps.upstream === undefined;
  const catalog = options.catalog ?? loadCatalog();
  const run: ListRun = {
    options,
    env: options.env ?? process.env,
    catalog,
    cache: new DiscoveryCache(
      options.cacheDir ?? (options.outDir ? join(options.outDir, '.cache') : join('.freeway', 'discovery-cache')),
      options.cacheTtlMs ?? defaultCacheTtlMs,
    ),
    policy: { ...defaultFetchPolicy, ...options.policy },
    fetchDeps: { clock, random: deps.random ?? Math.random, upstream },
  };
  const listers = (options.listers ?? modelListers).filter((lister) => catalog.providers.some((p) => p.id === lister.providerId));

  let done = 0;
  const listed = await mapBounded(listers, options.concurrency ?? 4, async (lister) => {
    const result = await listProvider(lister, run);
    done += 1;
    deps.onProgress?.({ done, total: listers.length, providerId: lister.providerId });
    return result;
  }).finally(() => (ownsUpstream ? upstream.close() : undefined));

  const snapshotPath = options.outDir ? join(options.outDir, 'catalog.json') : undefined;
  const previous = snapshotPath ? await readSnapshotModels(snapshotPath) : undefined;
  const providers = mergeListings(catalog, listed, listers, previous);
  const next: Catalog = { origin: { ...catalog.origin, builtAt: new Date(clock.now()).toISOString() }, providers };
  const { added, removed } = diffModels(previous ?? modelsByProvider(catalog), modelsByProvider(next));
  const result: PullResult = {
    catalog: next,
    outcomes: listed.map((entry) => entry.outcome),
    unnamed: unnamedModels(next, listed),
    added,
    removed,
    baseline: previous ? 'previous snapshot' : 'built-in catalog',
  };
  if (options.outDir && snapshotPath) result.files = await writeSnapshot(options.outDir, snapshotPath, next);
  return result;
}
