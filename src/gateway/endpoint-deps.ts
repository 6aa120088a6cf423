/**
 * What the endpoint handlers (chat, embeddings) use, and nothing more: routing, the upstream client
 * with each deployment's deadlines, dispatch, the cache and the settings they read. Quota, breakers
 * and metrics stay behind dispatch and the call lease, so a handler never touches them.
 */
import type { CacheConfig, StreamFanout } from '../cache/index.js';
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import type { StreamChunk } from '../core/unparsed-chunk.js';
import type { Router } from '../routing/index.js';
import type { Shaping } from '../shaping/index.js';
import type { CallOptions, UpstreamClient } from '../upstream/index.js';
import type { CacheCoordinator } from './cache-coordinator.js';
import type { Dispatch } from './dispatch.js';

export interface EndpointDeps {
  clock: Clock;
  router: Router;
  upstream: UpstreamClient;
  /** Each deployment's deadlines: its adaptive first-token timeout, the idle and total ones. */
  timeoutsFor(deployment: Deployment): Omit<CallOptions, 'signal'>;
  dispatch: Dispatch;
  /** Lookup, coalescing, storing and background refresh around the cache. */
  caching: CacheCoordinator;
  cacheConfig: CacheConfig;
  /** Multiplier on prompt estimates when reserving quota (config quota.tokenMargin). */
  tokenMargin: number;
}

export interface ChatDeps extends EndpointDeps {
  /** Parameter profiles, output budgets and sampling defaults (src/shaping). */
  shaping: Shaping;
  /** Shares a stream's batches of chunks (one array per upstream read) between identical requests. */
  streamFanout: StreamFanout<StreamChunk[]>;
}
