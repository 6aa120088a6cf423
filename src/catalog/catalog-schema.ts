/**
 * The shape of catalog data, as zod schemas (the data modules are checked against them at load) and the
 * types the rest of Freeway reads. Owns validation only: it never holds facts and never talks to a provider.
 */
import { z } from 'zod';
import { dialects, modelTags, type ModelProfile, type RequestQuirks } from '../core/deployment.js';
import type { Limit } from '../core/limits.js';

const datePattern = /^\d{4}-\d{2}(-\d{2})?$/;

/** Where a fact came from and when it was true: every limit, credit and scope carries one. */
export const factSource = { source: z.string().min(1), asOf: z.string().regex(datePattern) };

export const limitFactSchema = z.object({
  unit: z.enum(['requests', 'tokens']),
  amount: z.number().positive(),
  per: z.enum(['second', 'minute', 'hour', 'day', 'month']),
  note: z.string().optional(),
  ...factSource,
});

export const creditSchema = z.object({
  usd: z.number().positive().optional(),
  tokens: z.number().int().positive().optional(),
  /** `once` for a sign-up grant, `month` for an allowance that comes back every month. */
  period: z.enum(['once', 'month']),
  validMonths: z.number().int().positive().optional(),
  perModel: z.boolean().default(false),
  condition: z.string().optional(),
  ...factSource,
});

export const rawModelSchema = z.object({
  upstreamId: z.string().min(1),
  /** Overrides the display-name table; rarely needed. */
  displayName: z.string().min(1).optional(),
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  params: z.number().positive().optional(),
  tags: z.array(z.enum(modelTags)).optional(),
  limits: z.array(limitFactSchema).default([]),
  capabilitySource: z.object(factSource).optional(),
});

export const limitScopes = ['key', 'organization', 'project', 'account'] as const;

export const rawProviderSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    category: z.enum(['free', 'trial']),
    website: z.url(),
    status: z.enum(['active', 'retired']).default('active'),
    statusNote: z.object({ text: z.string(), ...factSource }).optional(),
    /** OpenAI-compatible base URL; `{VAR}` placeholders are filled from the environment. Null when unknown. */
    baseUrl: z.string().startsWith('https://').nullable(),
    baseUrlSource: z.string().min(1),
    apiStyle: z.enum(['openai', 'native', 'self-deployed']),
    keyEnvVars: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).min(1),
    extraEnvVars: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*$/)).default([]),
    dialect: z.enum(dialects),
    limitScope: z.object({
      scope: z.enum(limitScopes),
      /** True when each model has its own quota inside the scope; false when the models share one. */
      perModel: z.boolean(),
      note: z.string().optional(),
      ...factSource,
    }),
    /** Day and month limits reset at midnight / the 1st in this zone; null when they roll (or nobody says). */
    calendarTimeZone: z.string().nullable(),
    limits: z.array(limitFactSchema).default([]),
    neuronsPerDay: z
      .object({ amount: z.number().int().positive(), note: z.string().optional(), ...factSource })
      .optional(),
    credits: z.array(creditSchema).default([]),
    caveats: z.array(z.string()).default([]),
    quirks: z
      .object({
        dropParams: z.array(z.string()).optional(),
        maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
      })
      .default({}),
    headers: z.record(z.string(), z.string()).optional(),
    models: z.array(rawModelSchema).default([]),
    /** Models the facts name without an upstream id: shown in listings, never routed to. */
    unlistedModels: z.array(z.object({ displayName: z.string(), reason: z.string() })).default([]),
    modelsNote: z.string().optional(),
  })
  .refine((p) => p.category === 'trial' || p.baseUrl !== null, { message: 'a free provider needs a base URL' })
  .refine((p) => p.status === 'active' || p.statusNote !== undefined, {
    message: 'a retired provider needs a status note',
  });

export type LimitFact = z.infer<typeof limitFactSchema>;
export type Credit = z.infer<typeof creditSchema>;
export type RawProvider = z.input<typeof rawProviderSchema>;
export type RawModel = z.input<typeof rawModelSchema>;
export type LimitScope = (typeof limitScopes)[number];

export interface SourcedFact {
  source: string;
  asOf: string;
}

/** A Limit that remembers where it was read: usable wherever a Limit is. */
export interface CatalogLimit extends Limit, SourcedFact {
  note?: string;
}

export interface CatalogModel extends ModelProfile {
  /** The canonical id: one pool across providers. */
  id: string;
  displayName: string;
  /** True when the display name came from a name table rather than falling back to the upstream id. */
  hasDisplayName: boolean;
  limits: CatalogLimit[];
}

export interface CatalogProvider {
  id: string;
  name: string;
  category: 'free' | 'trial';
  website: string;
  status: 'active' | 'retired';
  statusNote?: { text: string } & SourcedFact;
  baseUrl: string | null;
  baseUrlSource: string;
  apiStyle: 'openai' | 'native' | 'self-deployed';
  keyEnvVars: string[];
  extraEnvVars: string[];
  dialect: (typeof dialects)[number];
  /** What the provider counts limits against: extra keys inside one organisation/project/account add nothing. */
  limitScope: LimitScope;
  /** True when each model has its own quota inside the scope (provider-level limits then apply per model). */
  limitsPerModel: boolean;
  limitScopeSource: { note?: string } & SourcedFact;
  calendarTimeZone: string | null;
  /** Limits on everything sent within the scope, shared by the provider's models. */
  limits: CatalogLimit[];
  neuronsPerDay?: { amount: number; note?: string } & SourcedFact;
  credits: Credit[];
  caveats: string[];
  quirks: RequestQuirks;
  headers?: Record<string, string>;
  models: CatalogModel[];
  unlistedModels: { displayName: string; reason: string }[];
  modelsNote?: string;
}

export interface Catalog {
  /** Where the facts came from as a whole. */
  origin: { facts: string; asOf: string; builtAt?: string };
  providers: CatalogProvider[];
}
