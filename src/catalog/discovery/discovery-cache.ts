/**
 * The disk cache of each provider's model list, so a rerun inside the TTL sends no request. One JSON
 * file per provider; a missing, stale or unreadable entry is simply a miss. It never stores a key.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveJsonFile } from '../../core/json-file.js';
import { z } from 'zod';
import { rawModelSchema, type RawModel } from '../catalog-schema.js';

const entrySchema = z.object({ fetchedAt: z.number(), models: z.array(rawModelSchema) });

export interface CachedList {
  fetchedAt: number;
  models: RawModel[];
}

export class DiscoveryCache {
  constructor(
    private readonly directory: string,
    private readonly ttlMs: number,
  ) {}

  private file(providerId: string): string {
    return join(this.directory, `${providerId}.json`);
  }

  /** The cached list when it is younger than the TTL at `nowMs`. */
  async read(providerId: string, nowMs: number): Promise<CachedList | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(providerId), 'utf8');
    } catch {
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success) return undefined;
    const age = nowMs - parsed.data.fetchedAt;
    return age >= 0 && age < this.ttlMs ? parsed.data : undefined;
  }

  /** Written then renamed (saveJsonFile), so a concurrent reader never sees half a file. */
  write(providerId: string, entry: CachedList): Promise<void> {
    return saveJsonFile(this.file(providerId), entry);
  }
}
