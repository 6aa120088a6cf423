/**
 * Catalog snapshots on disk (`catalog.json` written by a pull): reading the previous one back, and
 * the models added or removed between two catalogs. Owns no network and no rendering.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { modelTags } from '../../core/deployment.js';
import type { Catalog, CatalogModel } from '../catalog-schema.js';

const snapshotModel = z
  .object({
    id: z.string().min(1),
    upstreamId: z.string().min(1),
    displayName: z.string(),
    hasDisplayName: z.boolean(),
    contextWindow: z.number().optional(),
    maxOutputTokens: z.number().optional(),
    params: z.number().optional(),
    tags: z.array(z.enum(modelTags)),
    limits: z.array(
      z
        .object({
          unit: z.enum(['requests', 'tokens']),
          amount: z.number(),
          windowMs: z.number(),
          calendar: z.enum(['day', 'month']).optional(),
          timeZone: z.string().optional(),
          source: z.string(),
          asOf: z.string(),
          note: z.string().optional(),
        })
        .loose(),
    ),
  })
  .loose();

const snapshotSchema = z.object({
  providers: z.array(z.object({ id: z.string(), models: z.array(snapshotModel) }).loose()),
});

/** Each provider's models in the snapshot at `path`, or undefined when there is none (or it is unreadable). */
export async function readSnapshotModels(path: string): Promise<Map<string, CatalogModel[]> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return new Map(parsed.data.providers.map((provider) => [provider.id, provider.models as CatalogModel[]]));
}

export interface ModelChange {
  providerId: string;
  upstreamId: string;
  id: string;
}

export function modelsByProvider(catalog: Catalog): Map<string, CatalogModel[]> {
  return new Map(catalog.providers.map((provider) => [provider.id, provider.models]));
}

/** Models (by provider and upstream id) present in `after` but not `before`, and the other way round. */
export function diffModels(
  before: ReadonlyMap<string, readonly CatalogModel[]>,
  after: ReadonlyMap<string, readonly CatalogModel[]>,
): { added: ModelChange[]; removed: ModelChange[] } {
  const missingFrom = (
    from: ReadonlyMap<string, readonly CatalogModel[]>,
    other: ReadonlyMap<string, readonly CatalogModel[]>,
  ) => {
    const changes: ModelChange[] = [];
    for (const [providerId, models] of from) {
      const otherIds = new Set((other.get(providerId) ?? []).map((model) => model.upstreamId));
      for (const model of models)
        if (!otherIds.has(model.upstreamId)) changes.push({ providerId, upstreamId: model.upstreamId, id: model.id });
    }
    return changes;
  };
  return { added: missingFrom(after, before), removed: missingFrom(before, after) };
}
