/**
 * The gateway's use of the response cache, shared by chat and embeddings: the lookup (counted per
 * tier), upstream answers coalesced in process and across instances through Redis, storing an answer
 * with its origin, XFetch's background refresh (one at a time per key) and background work that
 * close() waits for. It never picks a deployment or shapes HTTP: callers hand it a `fetch` that does.
 */
import {
  createSingleFlight,
  type CacheHit,
  type CacheKind,
  type CacheOrigin,
  type CachePolicy,
  type DistributedSingleFlight,
  type ResponseCache,
} from '../cache/index.js';
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { CacheTelemetry } from './cache-telemetry.js';
import type { JsonBody, Priority } from './types.js';

/** An answer as the client will see it, fresh from upstream or from the cache. */
export interface Answer {
  body: JsonBody;
  /** Who answered: for a fresh answer the deployment's provider and model, for a cached one what was stored. */
  origin: CacheOrigin;
  /** Upstream calls made for this request: 0 when it joined another's call. */
  attempts: number;
}

/** Calls upstream: `signal` aborts once nobody waits for the answer any more. */
export type Fetch = (signal: AbortSignal, priority: Priority) => Promise<Answer>;

export interface CacheCoordinator {
  /** Looks `key` up when the policy allows, counting the outcome per tier. */
  lookup(key: string | undefined, kind: CacheKind, policy: CachePolicy): Promise<CacheHit | undefined>;
  /**
   * Fetches a fresh answer and stores it. With `coalesce`, joins an identical call already in
   * flight in this process, then (with Redis) on another instance; without, always calls upstream.
   */
  fetch(key: string, kind: CacheKind, fetch: Fetch, options: { signal: AbortSignal; priority: Priority; coalesce: boolean }): Promise<Answer>;
  /** Stores a finished answer (a stream, once complete). */
  store(key: string, kind: CacheKind, answer: JsonBody, origin: CacheOrigin, computeMs: number): Promise<void>;
  /** Refreshes `key` in the background, unless a call for it is already in flight here. */
  refresh(key: string, kind: CacheKind, fetch: Fetch): void;
  /** A request joined an upstream stream already in flight. */
  joinedStream(): void;
  /** Runs `work` in the background; close() aborts its signal and waits for it. Errors go to `log`. */
  background(label: string, work: (signal: AbortSignal) => Promise<unknown>): void;
  close(): Promise<void>;
}

export interface CacheCoordinatorOptions {
  cache: ResponseCache;
  distributed?: DistributedSingleFlight;
  telemetry: CacheTelemetry;
  clock: Clock;
  log: (line: string) => void;
}

export const originOf = (deployment: Deployment): CacheOrigin => ({ provider: deployment.providerId, upstreamModel: deployment.model.upstreamId });

/** Where a cached answer came from; entries stored before origins were kept say 'cache'. */
const storedOrigin = (origin: CacheOrigin | undefined, value: JsonBody): CacheOrigin =>
  origin ?? { provider: 'cache', upstreamModel: typeof value['model'] === 'string' ? value['model'] : '' };

/** A cache hit as the answer the client sees: no upstream call was made for it. */
export const hitAnswer = (hit: CacheHit): Answer => ({ body: hit.value, origin: storedOrigin(hit.origin, hit.value), attempts: 0 });

/** One upstream fetch to store under `key`. */
interface StoredFetch {
  key: string;
  kind: CacheKind;
  fetch: Fetch;
  signal: AbortSignal;
  priority: Priority;
  /** Through Redis when there; never for no-cache, since a follower may be handed the very entry the client asked to bypass. */
  acrossInstances: boolean;
}

interface SharedCall {
  waiters: number;
  abort: AbortController;
}

export function createCacheCoordinator(options: CacheCoordinatorOptions): CacheCoordinator {
  const { cache, distributed, telemetry, clock, log } = options;
  const flights = createSingleFlight<Answer>();
  const shared = new Map<string, SharedCall>();
  const running = new Set<Promise<unknown>>();
  const refreshing = new Set<string>();
  const shutdown = new AbortController();

  /** One upstream call, stored once it succeeds. */
  const fetchAndStore = async (call: StoredFetch): Promise<Answer> => {
    const { key, kind, fetch, signal, priority } = call;
    const started = clock.now();
    if (distributed && call.acrossInstances) {
      let fresh: Answer | undefined;
      const flight = await distributed.run(key, kind, async () => (fresh = await fetch(signal, priority)).body, {
        origin: () => fresh?.origin,
      });
      if (flight.role === 'follower') {
        telemetry.joined('redis');
        return { body: flight.value, origin: storedOrigin(flight.origin, flight.value), attempts: 0 };
      }
      // The leader stored it already; a local call (Redis down, or the leader gave up) has not.
      if (fresh && flight.role === 'local') await store(key, kind, fresh.body, fresh.origin, clock.now() - started);
      if (fresh) return fresh;
    }
    const fresh = await fetch(signal, priority);
    await store(key, kind, fresh.body, fresh.origin, clock.now() - started);
    return fresh;
  };

  const store = (key: string, kind: CacheKind, answer: JsonBody, origin: CacheOrigin, computeMs: number) =>
    cache.set(key, kind, answer, { computeMs, origin });

  /**
   * Joins the in-process call under `key` or starts it. The call's signal aborts only when every
   * waiter has gone, so one client hanging up never fails the others.
   */
  const coalesce = async (key: string, signal: AbortSignal, run: (signal: AbortSignal) => Promise<Answer>): Promise<Answer> => {
    const isJoining = flights.isInFlight(key);
    let current = isJoining ? shared.get(key) : undefined;
    if (!current) {
      current = { waiters: 0, abort: new AbortController() };
      if (!isJoining) shared.set(key, current);
    }
    current.waiters++;
    const leave = () => {
      if (--current.waiters === 0) current.abort.abort(signal.reason);
    };
    signal.addEventListener('abort', leave, { once: true });
    if (isJoining) {
      telemetry.joined('memory');
      cache.noteCoalesced();
    }
    try {
      const answer = await flights.run(key, () => run(current.abort.signal).finally(() => shared.delete(key)));
      return isJoining ? { ...answer, attempts: 0 } : answer;
    } finally {
      signal.removeEventListener('abort', leave);
    }
  };

  const background: CacheCoordinator['background'] = (label, work) => {
    const task = Promise.resolve()
      .then(() => work(shutdown.signal))
      .catch((error: unknown) => {
        if (!shutdown.signal.aborted) log(`warning: ${label} failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => running.delete(task));
    running.add(task);
  };

  return {
    async lookup(key, kind, policy) {
      if (!key || !policy.lookup) {
        telemetry.skipped(policy.status);
        if (policy.status === 'bypass') cache.noteBypass();
        return undefined;
      }
      const hit = await cache.get(key, kind);
      telemetry.lookedUp(hit?.tier);
      return hit;
    },

    fetch(key, kind, fetch, { signal, priority, coalesce: join }) {
      if (!join) return fetchAndStore({ key, kind, fetch, signal, priority, acrossInstances: false });
      return coalesce(key, signal, (own) => fetchAndStore({ key, kind, fetch, signal: own, priority, acrossInstances: true }));
    },

    store,

    refresh(key, kind, fetch) {
      if (refreshing.has(key) || flights.isInFlight(key)) return;
      refreshing.add(key);
      // Low priority: a refresh spends the same free quota live requests need, and the answer is not late yet.
      background(`cache refresh of a ${kind} answer`, (signal) =>
        coalesce(key, signal, (own) => fetchAndStore({ key, kind, fetch, signal: own, priority: 'low', acrossInstances: true })).finally(() => refreshing.delete(key)),
      );
    },

    joinedStream() {
      telemetry.joined('memory');
      cache.noteCoalesced();
    },

    background,

    async close() {
      shutdown.abort(new Error('the gateway is closing'));
      await Promise.allSettled([...running]);
      await distributed?.close();
    },
  };
}
