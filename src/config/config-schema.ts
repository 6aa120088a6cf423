/**
 * The zod schema of the whole `freeway.yaml`: sections, defaults and the rules that span fields
 * (unique provider ids, no exposed server without client keys). Every object is strict so a typo
 * is an error, not a silently ignored setting. It never reads files or the environment.
 */
import { z } from 'zod';
import { DEFAULT_TOKEN_MARGIN } from '../core/token-margin.js';
import { cacheModes, routingPreferences, type FreewayConfig } from './freeway-config.js';
import { providerSchema } from './provider-schema.js';
import { boolean, nonEmptyString, nonNegativeInteger, positiveInteger, positiveNumber } from './schema-primitives.js';

const MiB = 1024 * 1024;

export const loopbackHosts: readonly string[] = ['127.0.0.1', '::1', 'localhost'];

export const isLoopbackHost = (host: string): boolean =>
  loopbackHosts.includes(
    host
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1'),
  );

const serverSchema = z.strictObject({
  host: nonEmptyString().default('127.0.0.1'),
  port: nonNegativeInteger()
    .refine((port) => port <= 65535, { error: 'expected a port between 0 and 65535' })
    .default(8787),
  apiKeys: z
    .array(z.string().refine((key) => key.trim() !== '', { error: 'is empty (an unset ${VAR:-} default?)' }))
    .default([]),
  bodyLimitBytes: positiveInteger().default(4 * MiB),
  requestTimeoutMs: positiveInteger().default(600_000),
});

const stateSchema = z.strictObject({
  redis: z
    .string()
    .refine((value) => /^rediss?:\/\/[^\s]+$/.test(value), { error: 'expected a redis:// or rediss:// URL' })
    .optional(),
});

const routingSchema = z.strictObject({
  aliases: z.record(nonEmptyString(), z.array(nonEmptyString()).min(1)).optional(),
  allow: z.array(nonEmptyString()).optional(),
  deny: z.array(nonEmptyString()).optional(),
  preferences: z.record(nonEmptyString(), z.enum(routingPreferences)).optional(),
  predictorPath: z.string().min(1).nullable().optional(),
});

const cacheSchema = z.strictObject({
  mode: z.enum(cacheModes).default('deterministic'),
  memory: z
    .strictObject({ maxEntries: positiveInteger().default(1000), maxBytes: positiveInteger().default(64 * MiB) })
    .prefault({}),
  sqlitePath: z.string().min(1).nullable().default('.freeway/cache.sqlite'),
  /** Defaults to whether `state.redis` is set; resolved on the whole config. */
  redis: boolean().optional(),
  ttlSeconds: z
    .strictObject({
      completion: positiveInteger().default(86_400),
      embedding: positiveInteger().default(604_800),
      models: positiveInteger().default(3_600),
      discovery: positiveInteger().default(86_400),
    })
    .prefault({}),
  warmup: z.array(z.record(z.string(), z.unknown())).default([]),
});

const resilienceSchema = z.strictObject({
  maxAttempts: positiveInteger().default(4),
  retryBudgetRatio: z
    .preprocess((value) => (typeof value === 'string' ? Number(value) : value), z.number().min(0).max(1))
    .default(0.2),
  firstTokenTimeoutMs: z
    .strictObject({ min: positiveInteger().default(2_000), max: positiveInteger().default(60_000) })
    .refine((range) => range.min <= range.max, { error: 'min must not exceed max', path: ['min'] })
    .prefault({}),
  idleTimeoutMs: positiveInteger().default(30_000),
  totalTimeoutMs: positiveInteger().default(600_000),
  breaker: z
    .strictObject({
      failureThreshold: positiveInteger().default(5),
      halfOpenAfterMs: positiveInteger().default(30_000),
    })
    .prefault({}),
  hedging: z.strictObject({ enabled: boolean().default(false) }).prefault({}),
});

const quotaSchema = z.strictObject({
  tokenMargin: positiveNumber()
    .refine((margin) => margin >= 1, { error: 'expected at least 1 (a multiplier on token estimates)' })
    .default(DEFAULT_TOKEN_MARGIN),
  defaultMaxWaitMs: nonNegativeInteger().default(30_000),
  /**
   * Share of every limit that `low` priority (batch lines) leaves free for interactive requests, kept
   * whether or not interactive traffic is seen at the moment. On a refilling limit it costs a batch
   * the share of one burst, once, never the rate (refilled units below the share go to the batch
   * as they come); on a calendar limit (per day, per month) it keeps the share for the people who
   * come back later, which a reserve kept only while interactive requests are seen would hand to a
   * batch running overnight. Whatever interactive requests use of it is not lost to the pool.
   */
  interactiveReserve: z
    .number({ error: 'expected a number' })
    .min(0, { error: 'expected a fraction from 0 to 0.9' })
    .max(0.9, { error: 'expected a fraction from 0 to 0.9' })
    .default(0.1),
});

const batchSchema = z.strictObject({
  /** Batch lines in flight at once per process (each may wait in the admission queue for quota). */
  concurrency: positiveInteger().default(16),
  /** Where an embedded gateway keeps batch files, line states and results; null keeps them in memory. */
  sqlitePath: z.string().min(1).nullable().default('.freeway/batches.sqlite'),
  maxFileBytes: positiveInteger().default(100 * MiB),
  maxLines: positiveInteger().default(50_000),
  /** How long a claimed line stays leased to a process before another may take it over. */
  leaseMs: positiveInteger().default(60_000),
});

const telemetrySchema = z.strictObject({
  otlp: z
    .strictObject({
      endpoint: z
        .string()
        .refine((value) => /^https?:\/\/[^\s]+$/.test(value), { error: 'expected the OTLP/HTTP base URL, such as http://127.0.0.1:4318' })
        .optional(),
      headers: z.record(z.string(), z.string()).default({}),
    })
    .prefault({}),
});

const shapingSchema = z.strictObject({
  strip: boolean().default(true),
  defaults: z
    .partialRecord(
      z.enum(['code', 'classification', 'extraction', 'summarization', 'translation', 'creative', 'reasoning', 'chat']),
      z.record(nonEmptyString(), z.union([z.number(), z.boolean(), z.string()])),
    )
    .default({}),
  outputBudget: z.enum(['predicted', 'fixed']).default('predicted'),
  statePath: z.string().min(1).nullable().optional(),
});

export const configSchema = z
  .strictObject({
    server: serverSchema.prefault({}),
    state: stateSchema.prefault({}),
    providers: z.array(providerSchema).default([]),
    routing: routingSchema.prefault({}),
    cache: cacheSchema.prefault({}),
    resilience: resilienceSchema.prefault({}),
    quota: quotaSchema.prefault({}),
    batch: batchSchema.prefault({}),
    telemetry: telemetrySchema.prefault({}),
    shaping: shapingSchema.prefault({}),
  })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.providers.forEach((provider, index) => {
      if (seen.has(provider.id))
        context.addIssue({
          code: 'custom',
          path: ['providers', index, 'id'],
          message: `provider id "${provider.id}" is used twice; give each entry its own id`,
        });
      seen.add(provider.id);
    });
    if (!isLoopbackHost(config.server.host) && config.server.apiKeys.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['server', 'host'],
        message: `binding to ${config.server.host} (beyond loopback) requires server.apiKeys, so strangers cannot spend your quota; set apiKeys or use 127.0.0.1`,
      });
    }
    if (config.cache.redis === true && config.state.redis === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['cache', 'redis'],
        message: 'the Redis cache tier needs state.redis to be set',
      });
    }
  })
  .transform((config): FreewayConfig => ({
    ...config,
    cache: { ...config.cache, redis: config.cache.redis ?? config.state.redis !== undefined },
  }));
