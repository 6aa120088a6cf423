/**
 * The disk tier: one SQLite file (WAL) that survives restarts and needs no server, the embedded
 * default. Expired rows are never served and are swept now and then on write; the file must never
 * hold anything but answers the cache decided to keep.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CacheKind } from './cache-config.js';
import type { CachedResponse, CacheEntry, CacheOrigin } from './cached-response.js';
import type { CacheTier } from './cache-tier.js';

interface Row {
  kind: string;
  value: string;
  stored_at: number;
  expires_at: number;
  compute_ms: number;
  origin: string | null;
}

/** Sweep expired rows once every this many writes: cheap, and bounds the dead weight. */
const SWEEP_EVERY_WRITES = 500;

export function createDiskTier(path: string, now: number): CacheTier {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL with synchronous=NORMAL stays consistent after a crash; a lost last write is only a cache miss.
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS cache_entries (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, value TEXT NOT NULL,
    stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, compute_ms INTEGER NOT NULL, origin TEXT)`);
  // Files written before answers carried their origin lack the column; their rows simply have none.
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(cache_entries)').all();
  if (!columns.some((column) => column.name === 'origin')) db.exec('ALTER TABLE cache_entries ADD COLUMN origin TEXT');
  const select = db.prepare<[string, number], Row>(
    'SELECT kind, value, stored_at, expires_at, compute_ms, origin FROM cache_entries WHERE key = ? AND expires_at > ?',
  );
  const upsert = db.prepare(
    `INSERT INTO cache_entries (key, kind, value, stored_at, expires_at, compute_ms, origin) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, value = excluded.value, stored_at = excluded.stored_at,
       expires_at = excluded.expires_at, compute_ms = excluded.compute_ms, origin = excluded.origin`,
  );
  const remove = db.prepare('DELETE FROM cache_entries WHERE key = ?');
  const sweep = db.prepare('DELETE FROM cache_entries WHERE expires_at <= ?');
  const count = db.prepare<[], { entries: number; bytes: number | null }>(
    'SELECT COUNT(*) AS entries, SUM(LENGTH(value)) AS bytes FROM cache_entries',
  );
  sweep.run(now);
  let writes = 0;

  return {
    name: 'disk',
    get(key, at) {
      const row = select.get(key, at);
      if (!row) return undefined;
      const entry: CacheEntry = {
        kind: row.kind as CacheKind,
        value: JSON.parse(row.value) as CachedResponse,
        storedAt: row.stored_at,
        expiresAt: row.expires_at,
        computeMs: row.compute_ms,
      };
      if (row.origin !== null) entry.origin = JSON.parse(row.origin) as CacheOrigin;
      return entry;
    },
    set(key, entry, at) {
      const origin = entry.origin ? JSON.stringify(entry.origin) : null;
      upsert.run(key, entry.kind, JSON.stringify(entry.value), entry.storedAt, entry.expiresAt, Math.round(entry.computeMs), origin);
      if (++writes % SWEEP_EVERY_WRITES === 0) sweep.run(at);
    },
    delete(key) {
      remove.run(key);
    },
    size() {
      const row = count.get();
      return { entries: row?.entries ?? 0, bytes: row?.bytes ?? 0 };
    },
    close() {
      if (db.open) db.close();
    },
  };
}
