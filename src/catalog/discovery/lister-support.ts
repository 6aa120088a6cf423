/**
 * What every model lister shares: its shape, and small helpers to read a provider's answer safely.
 * A lister that gets an answer it cannot read fails with a DiscoveryError, never a raw zod error.
 */
import { z } from 'zod';
import type { RawModel } from '../catalog-schema.js';
import { DiscoveryError, type JsonGetter } from './fetch-json.js';

export interface ListContext {
  baseUrl: string;
  apiKey: string | undefined;
  get: JsonGetter;
}

export interface ModelLister {
  providerId: string;
  /** Where the model list lives; `{VAR}` placeholders are filled from the environment. */
  defaultBaseUrl: string;
  /** Whether listing works without a key (the original listed OpenRouter, SambaNova and GitHub anonymously). */
  needsKey: boolean;
  /** Minimum gap between two requests to this provider. */
  paceMs: number;
  /** Keep only models the built-in catalog already knows (the provider lists paid models too). */
  keepOnlyKnown?: boolean;
  list(context: ListContext): Promise<RawModel[]>;
}

export const optionalNumber = z.coerce.number().positive().optional().catch(undefined);
export const bearer = (key: string | undefined): Record<string, string> =>
  key ? { authorization: `Bearer ${key}` } : {};

export function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new DiscoveryError(`unexpected answer shape (${what})`);
  return result.data;
}

export const withOptional = (model: RawModel, extra: Partial<RawModel>): RawModel => {
  for (const [key, value] of Object.entries(extra))
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) Object.assign(model, { [key]: value });
  return model;
};
