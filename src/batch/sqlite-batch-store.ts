/**
 * The batch store on one machine: files, batches, line states and results in one SQLite file
 * (WAL, so a kill -9 loses nothing committed). Each operation is one transaction; settling is
 * INSERT OR IGNORE on (batch, key), so a result is written once whatever is retried. The file is
 * created only when the first file is uploaded, so a gateway that never runs a batch leaves no
 * trace. It never calls the gateway.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BatchPage, BatchStore, ClaimRequest, ReleaseRequest } from './batch-store.js';
import { ACTIVE_STATUSES, type BatchObject, type ClaimedLine, type FileObject, type LineCounts, type QueuedLine, type SettledLine } from './batch-types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, meta TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lines (
  batch_id TEXT NOT NULL, custom_id TEXT NOT NULL, line INTEGER NOT NULL, body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending', owner TEXT, lease_until INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  PRIMARY KEY (batch_id, custom_id));
CREATE INDEX IF NOT EXISTS lines_by_state ON lines (batch_id, state, not_before);
CREATE INDEX IF NOT EXISTS lines_in_order ON lines (batch_id, state, line);
CREATE TABLE IF NOT EXISTS results (
  batch_id TEXT NOT NULL, key TEXT NOT NULL, line INTEGER NOT NULL, file TEXT NOT NULL, result TEXT NOT NULL,
  PRIMARY KEY (batch_id, key));
`;

interface LineRow {
  custom_id: string;
  line: number;
  body: string;
  attempts: number;
  last_error: string | null;
}

export class SqliteBatchStore implements BatchStore {
  private db: Database.Database | undefined;

  /** `path` null: an in-memory database (tests, and configs that turn persistence off). */
  constructor(private readonly path: string | null) {
    if (path === null || existsSync(path)) this.open();
  }

  private open(): Database.Database {
    if (this.db) return this.db;
    if (this.path !== null) mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path ?? ':memory:');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    // Every statement is prepared once per connection: compiling SQL on each call was a tenth of the
    // gateway's CPU while a batch ran (the engine claims and settles every line in its own statements).
    const prepared = new Map<string, Database.Statement>();
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      let statement = prepared.get(source);
      if (!statement) prepared.set(source, (statement = prepare(source)));
      return statement;
    }) as typeof db.prepare;
    this.db = db;
    return db;
  }

  async saveFile(file: FileObject, content: Buffer): Promise<void> {
    this.open().prepare('INSERT OR REPLACE INTO files (id, meta, content) VALUES (?, ?, ?)').run(file.id, JSON.stringify(file), content);
  }

  async getFile(id: string): Promise<FileObject | undefined> {
    const row = this.db?.prepare('SELECT meta FROM files WHERE id = ?').get(id) as { meta: string } | undefined;
    return row ? (JSON.parse(row.meta) as FileObject) : undefined;
  }

  async getFileContent(id: string): Promise<Buffer | undefined> {
    const row = this.db?.prepare('SELECT content FROM files WHERE id = ?').get(id) as { content: Buffer } | undefined;
    return row?.content;
  }

  async deleteFile(id: string): Promise<boolean> {
    return (this.db?.prepare('DELETE FROM files WHERE id = ?').run(id).changes ?? 0) > 0;
  }

  async createBatch(batch: BatchObject, lines: readonly QueuedLine[], settled: readonly SettledLine[]): Promise<void> {
    const db = this.open();
    const insertLine = db.prepare('INSERT OR IGNORE INTO lines (batch_id, custom_id, line, body, not_before) VALUES (?, ?, ?, ?, ?)');
    const insertResult = db.prepare('INSERT OR IGNORE INTO results (batch_id, key, line, file, result) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => {
      db.prepare('INSERT INTO batches (id, status, record) VALUES (?, ?, ?)').run(batch.id, batch.status, JSON.stringify(batch));
      for (const line of lines) insertLine.run(batch.id, line.customId, line.line, JSON.stringify(line.body), batch.created_at * 1000);
      for (const s of settled) insertResult.run(batch.id, s.key, s.line, s.file, JSON.stringify(s.result));
    })();
  }

  async getBatch(id: string, options: { withCounts?: boolean } = {}): Promise<BatchObject | undefined> {
    const row = this.db?.prepare('SELECT record FROM batches WHERE id = ?').get(id) as { record: string } | undefined;
    if (!row) return undefined;
    const batch = JSON.parse(row.record) as BatchObject;
    return options.withCounts === false ? batch : this.withCounts(batch);
  }

  async saveBatch(batch: BatchObject): Promise<void> {
    this.open().prepare('UPDATE batches SET status = ?, record = ? WHERE id = ?').run(batch.status, JSON.stringify(batch), batch.id);
  }

  async listBatches(after: string | undefined, limit: number): Promise<BatchPage> {
    if (!this.db) return { data: [], hasMore: false };
    const cursor = after === undefined ? undefined : (this.db.prepare('SELECT seq FROM batches WHERE id = ?').get(after) as { seq: number } | undefined);
    if (after !== undefined && !cursor) return { data: [], hasMore: false };
    const rows = this.db
      .prepare('SELECT record FROM batches WHERE seq < ? ORDER BY seq DESC LIMIT ?')
      .all(cursor?.seq ?? Number.MAX_SAFE_INTEGER, limit + 1) as { record: string }[];
    return { data: rows.slice(0, limit).map((r) => this.withCounts(JSON.parse(r.record) as BatchObject)), hasMore: rows.length > limit };
  }

  async activeBatchIds(): Promise<string[]> {
    if (!this.db) return [];
    const marks = ACTIVE_STATUSES.map(() => '?').join(',');
    return (this.db.prepare(`SELECT id FROM batches WHERE status IN (${marks}) ORDER BY seq`).all(...ACTIVE_STATUSES) as { id: string }[]).map((r) => r.id);
  }

  async claimLines(batchId: string, request: ClaimRequest): Promise<ClaimedLine[]> {
    const db = this.open();
    return db.transaction(() => {
      // Two queries, each walking an index in order and stopping at the limit: one query with an OR
      // over both states sorts every unsettled line of the batch on every claim.
      const pending = db
        .prepare(`SELECT custom_id, line, body, attempts, last_error FROM lines INDEXED BY lines_in_order WHERE batch_id = ? AND state = 'pending' AND not_before <= ? ORDER BY line LIMIT ?`)
        .all(batchId, request.now, request.limit) as LineRow[];
      const lapsed = db
        .prepare(`SELECT custom_id, line, body, attempts, last_error FROM lines WHERE batch_id = ? AND state = 'leased' AND lease_until <= ? ORDER BY line LIMIT ?`)
        .all(batchId, request.now, request.limit) as LineRow[];
      const rows = lapsed.length === 0 ? pending : [...pending, ...lapsed].sort((a, b) => a.line - b.line).slice(0, request.limit);
      const lease = db.prepare(`UPDATE lines SET state = 'leased', owner = ?, lease_until = ? WHERE batch_id = ? AND custom_id = ?`);
      for (const row of rows) lease.run(request.owner, request.leaseUntil, batchId, row.custom_id);
      return rows.map((row) => ({
        batchId,
        customId: row.custom_id,
        line: row.line,
        body: JSON.parse(row.body) as Record<string, unknown>,
        attempts: row.attempts,
        lastError: row.last_error,
      }));
    })();
  }

  async renewLeases(batchId: string, customIds: readonly string[], owner: string, leaseUntil: number): Promise<void> {
    const db = this.open();
    const renew = db.prepare(`UPDATE lines SET lease_until = ? WHERE batch_id = ? AND custom_id = ? AND owner = ? AND state = 'leased'`);
    db.transaction(() => customIds.forEach((id) => renew.run(leaseUntil, batchId, id, owner)))();
  }

  async releaseLine(batchId: string, customId: string, request: ReleaseRequest): Promise<void> {
    this.open()
      .prepare(
        `UPDATE lines SET state = 'pending', owner = NULL, lease_until = 0, not_before = ?, last_error = COALESCE(?, last_error),
         attempts = attempts + ? WHERE batch_id = ? AND custom_id = ? AND owner = ? AND state = 'leased'`,
      )
      .run(request.notBefore, request.lastError, request.countsAsAttempt ? 1 : 0, batchId, customId, request.owner);
  }

  async settleLine(batchId: string, settled: SettledLine): Promise<boolean> {
    const db = this.open();
    return db.transaction(() => {
      const inserted = db
        .prepare('INSERT OR IGNORE INTO results (batch_id, key, line, file, result) VALUES (?, ?, ?, ?, ?)')
        .run(batchId, settled.key, settled.line, settled.file, JSON.stringify(settled.result)).changes;
      db.prepare(`UPDATE lines SET state = 'settled', owner = NULL WHERE batch_id = ? AND custom_id = ?`).run(batchId, settled.key);
      return inserted > 0;
    })();
  }

  async unsettledLines(batchId: string): Promise<{ customId: string; line: number; lastError: string | null }[]> {
    const rows = (this.db?.prepare(`SELECT custom_id, line, last_error FROM lines WHERE batch_id = ? AND state != 'settled' ORDER BY line`).all(batchId) ?? []) as {
      custom_id: string;
      line: number;
      last_error: string | null;
    }[];
    return rows.map((r) => ({ customId: r.custom_id, line: r.line, lastError: r.last_error }));
  }

  async counts(batchId: string, now: number): Promise<LineCounts> {
    const db = this.db;
    if (!db) return { total: 0, completed: 0, failed: 0, pending: 0, deferred: 0, leased: 0, oldestPendingAt: null };
    const results = db.prepare(`SELECT SUM(file = 'output') AS completed, SUM(file != 'output') AS failed FROM results WHERE batch_id = ?`).get(batchId) as {
      completed: number | null;
      failed: number | null;
    };
    const lines = db
      .prepare(
        `SELECT SUM(state = 'pending') AS pending, SUM(state = 'pending' AND not_before > ?) AS deferred,
         SUM(state = 'leased') AS leased, MIN(CASE WHEN state != 'settled' THEN not_before END) AS oldest FROM lines WHERE batch_id = ?`,
      )
      .get(now, batchId) as { pending: number | null; deferred: number | null; leased: number | null; oldest: number | null };
    const completed = results.completed ?? 0;
    const failed = results.failed ?? 0;
    const pending = lines.pending ?? 0;
    const leased = lines.leased ?? 0;
    return { total: completed + failed + pending + leased, completed, failed, pending, deferred: lines.deferred ?? 0, leased, oldestPendingAt: lines.oldest };
  }

  async settledLines(batchId: string): Promise<SettledLine[]> {
    const rows = (this.db?.prepare('SELECT key, line, file, result FROM results WHERE batch_id = ? ORDER BY line').all(batchId) ?? []) as {
      key: string;
      line: number;
      file: SettledLine['file'];
      result: string;
    }[];
    return rows.map((r) => ({ key: r.key, line: r.line, file: r.file, result: JSON.parse(r.result) as SettledLine['result'] }));
  }

  async releaseAllLeases(): Promise<number> {
    return this.db?.prepare(`UPDATE lines SET state = 'pending', owner = NULL, lease_until = 0 WHERE state = 'leased'`).run().changes ?? 0;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  private withCounts(batch: BatchObject): BatchObject {
    const row = this.db!.prepare(`SELECT SUM(file = 'output') AS completed, SUM(file != 'output') AS failed FROM results WHERE batch_id = ?`).get(batch.id) as {
      completed: number | null;
      failed: number | null;
    };
    const lines = this.db!.prepare(`SELECT COUNT(*) AS n FROM lines WHERE batch_id = ? AND state != 'settled'`).get(batch.id) as { n: number };
    const completed = row.completed ?? 0;
    const failed = row.failed ?? 0;
    return { ...batch, request_counts: { total: completed + failed + lines.n, completed, failed } };
  }
}
