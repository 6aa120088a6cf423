/**
 * The zod schema of one `providers[]` entry, its models and limits. It validates and normalises
 * what the user wrote; it never consults the catalog (catalog entries are merged by the gateway).
 */
import { z } from 'zod';
import { dialects } from '../core/deployment.js';
import { ConfigError } from './config-error.js';
import { tagSchema } from './tag-schema.js';
import { parseLimitSpec } from './limit-spec.js';
import { providerScopes, type ModelConfig, type ProviderConfig } from './freeway-config.js';
import { httpUrl, nonEmptyString, number, positiveInteger, positiveNumber } from './schema-primitives.js';

export const limitSchema = z
  .strictObject({
    requests: number().optional(),
    tokens: number().optional(),
    per: z.union([z.string(), z.number()]),
    resetTimeZone: z.string().optional(),
  })
  .transform((spec, context) => {
    try {
      return parseLimitSpec(spec);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      context.addIssue({
        code: 'custom',
        message: error.issues[0]?.message ?? error.message,
        path: error.field === undefined ? [] : [error.field],
      });
      return z.NEVER;
    }
  });

export const modelSchema = z
  .strictObject({
    id: nonEmptyString(),
    upstreamId: nonEmptyString().optional(),
    displayName: z.string().optional(),
    contextWindow: positiveInteger().optional(),
    maxOutputTokens: positiveInteger().optional(),
    /** Billions of parameters. */
    params: positiveNumber().optional(),
    /** Known tags are capabilities; any other tag is a label for routing rules (`tag:<name>`). */
    tags: z.array(tagSchema).default([]),
    limits: z.array(limitSchema).default([]),
  })
  // zod leaves absent optional keys absent, so spreading keeps "not given" distinct from a value.
  .transform((model): ModelConfig => ({ ...model, upstreamId: model.upstreamId ?? model.id }));

const quirksSchema = z.strictObject({
  dropParams: z.array(nonEmptyString()).optional(),
  maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
});

export const providerSchema = z
  .strictObject({
    // No '/': `provider/model` pins split on it.
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-" (no "/")' }),
    apiKey: z.string().optional(),
    apiKeys: z.array(z.string()).optional(),
    baseUrl: httpUrl().optional(),
    dialect: z.enum(dialects).optional(),
    scope: z.enum(providerScopes).optional(),
    limits: z.array(limitSchema).optional(),
    models: z.array(modelSchema).optional(),
    quirks: quirksSchema.optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((provider, context) => {
    if (provider.apiKey !== undefined && provider.apiKeys !== undefined) {
      context.addIssue({ code: 'custom', path: ['apiKeys'], message: 'give either apiKey or apiKeys, not both' });
    }
    const seen = new Set<string>();
    provider.models?.forEach((model, index) => {
      if (seen.has(model.id))
        context.addIssue({
          code: 'custom',
          path: ['models', index, 'id'],
          message: `model id "${model.id}" is listed twice for this provider`,
        });
      seen.add(model.id);
    });
  })
  .transform((provider): ProviderConfig => {
    const { apiKey, apiKeys, ...rest } = provider;
    const written = apiKey !== undefined ? [apiKey] : (apiKeys ?? []);
    const keys = written.map((key) => key.trim()).filter((key) => key !== '');
    return { ...rest, apiKeys: keys, enabled: written.length === 0 || keys.length > 0 };
  });
