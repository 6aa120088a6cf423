/**
 * Batches inside a gateway process: the store (SQLite under batch.sqlitePath), the API service,
 * the engine that runs lines through this gateway, and the gateway seen from outside with the
 * `batches` state section and the batch gauges added. A restarted gateway resumes the batches it
 * left. It owns the store's and the engine's lifetime; it never starts the HTTP server.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { FreewayConfig } from '../config/index.js';
import type { Gateway, Priority } from '../gateway/types.js';
import { BatchEngine } from './batch-engine.js';
import { recentlyFinished, renderBatchMetrics, stateSection, summarizeBatches } from './batch-report.js';
import { BatchService } from './batch-service.js';
import type { BatchStore } from './batch-store.js';
import { RedisBatchStore } from './redis-batch-store.js';
import { SqliteBatchStore } from './sqlite-batch-store.js';

/** Redis when `state.redis` is set (shared by every gateway and worker), else the SQLite file. */
export async function openConfiguredStore(config: FreewayConfig): Promise<BatchStore> {
  if (!config.state.redis) return new SqliteBatchStore(config.batch.sqlitePath);
  const store = new RedisBatchStore(config.state.redis);
  await store.ready();
  return store;
}

export interface BatchRuntimeOptions {
  config: FreewayConfig;
  gateway: Gateway;
  clock?: Clock;
  log?: (line: string) => void;
  /** A store other than the configured one (the CLI's checkpoint). */
  store?: BatchStore;
  defaultPriority?: Priority;
}

export interface BatchRuntime {
  service: BatchService;
  engine: BatchEngine;
  store: BatchStore;
  /** The gateway with `batches` in state() and the batch gauges in renderMetrics(). */
  gateway: Gateway;
  maxFileBytes: number;
  /** Hands back in-flight lines, then closes the store (not the gateway). */
  close(): Promise<void>;
}

export async function startBatchRuntime(options: BatchRuntimeOptions): Promise<BatchRuntime> {
  const { config, gateway } = options;
  const clock = options.clock ?? systemClock;
  const store = options.store ?? (await openConfiguredStore(config));
  // One process owns an embedded store: whatever a crashed predecessor held is free again now.
  const recovered = await store.releaseAllLeases();
  if (recovered > 0) options.log?.(`Batches: ${recovered} line(s) left in flight by a previous run are queued again`);
  const engine = new BatchEngine({
    store,
    gateway,
    clock,
    concurrency: config.batch.concurrency,
    leaseMs: config.batch.leaseMs,
    ...(options.defaultPriority ? { defaultPriority: options.defaultPriority } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const isKnownModel = (model: string): boolean => {
    const models = gateway.listModels()['data'] as { id: string }[] | undefined;
    return (models ?? []).some((m) => m.id === model);
  };
  const service = new BatchService({
    store,
    clock,
    limits: { maxFileBytes: config.batch.maxFileBytes, maxLines: config.batch.maxLines },
    isKnownModel,
    onChange: () => engine.notify(),
  });
  engine.start();
  const report = { store, gateway, clock };
  const summariesIfReachable = () => summarizeBatches(report).catch(() => undefined);
  const withBatches: Gateway = {
    chat: (body, context) => gateway.chat(body, context),
    embeddings: (body, context) => gateway.embeddings(body, context),
    listModels: () => gateway.listModels(),
    explainRoute: (body) => gateway.explainRoute(body),
    close: () => gateway.close(),
    state: async () => {
      // Running batches first, then the newest finished ones, so a batch that ends between two looks still shows.
      const [summaries, finished, state] = await Promise.all([summariesIfReachable(), recentlyFinished(store).catch(() => []), gateway.state()]);
      const batches = [...(summaries ? stateSection(summaries) : []), ...finished];
      return batches.length > 0 ? { ...state, batches } : state;
    },
    renderMetrics: async () => {
      const base = await gateway.renderMetrics();
      // With the batch store unreachable (Redis down) the batch gauges are left out, not reported as zero:
      // an autoscaler must not read an outage as an empty backlog.
      const summaries = await summariesIfReachable();
      return summaries ? { contentType: base.contentType, text: `${base.text}\n${await renderBatchMetrics(summaries)}` } : base;
    },
  };
  return {
    service,
    engine,
    store,
    gateway: withBatches,
    maxFileBytes: config.batch.maxFileBytes,
    close: async () => {
      await engine.stop();
      await store.close();
    },
  };
}
