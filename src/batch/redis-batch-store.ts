/**
 * The batch store shared by every gateway and `freeway worker` on one Redis: the queue is a sorted
 * set of pending lines per batch (scored by when they may run) and a sorted set of leases (scored
 * by when they end), moved between by Lua scripts so a line is leased to one owner at a time and a
 * lease that ends unrenewed (a crashed process) is taken over. Results are HSETNX by (batch,
 * custom_id): a redelivered line can never be written twice.
 *
 * Why not BullMQ: the engine needs one store contract for SQLite and Redis (claim, renew, release,
 * settle-once), and BullMQ's jobs, stalled checks and delayed sets would be a second engine shape
 * around the same at-least-once delivery; leases in a sorted set give the same crash semantics.
 * Redis errors reach the caller (the engine retries); it never swallows a failed write.
 */
import { Redis } from 'ioredis';
import type { BatchPage, BatchStore, ClaimRequest, ReleaseRequest } from './batch-store.js';
import { ACTIVE_STATUSES, type BatchObject, type ClaimedLine, type FileObject, type LineCounts, type QueuedLine, type SettledLine } from './batch-types.js';

const CLAIM = `
local pending, leased, owners = KEYS[1], KEYS[2], KEYS[3]
local now, leaseUntil, limit, owner = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local ids = redis.call('ZRANGEBYSCORE', leased, '-inf', now, 'LIMIT', '0', tostring(limit))
if #ids < limit then
  local due = redis.call('ZRANGEBYSCORE', pending, '-inf', now, 'LIMIT', '0', tostring(limit - #ids))
  for _, id in ipairs(due) do redis.call('ZREM', pending, id); table.insert(ids, id) end
end
for _, id in ipairs(ids) do redis.call('ZADD', leased, leaseUntil, id); redis.call('HSET', owners, id, owner) end
return ids`;

const RENEW = `
local leased, owners = KEYS[1], KEYS[2]
for i = 3, #ARGV do
  if redis.call('HGET', owners, ARGV[i]) == ARGV[2] then redis.call('ZADD', leased, 'XX', ARGV[1], ARGV[i]) end
end
return 0`;

const RELEASE = `
local pending, leased, owners, attempts, errors = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, owner, notBefore, lastError, counts = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('HGET', owners, id) ~= owner or not redis.call('ZSCORE', leased, id) then return 0 end
redis.call('ZREM', leased, id); redis.call('HDEL', owners, id); redis.call('ZADD', pending, notBefore, id)
if counts == 1 then redis.call('HINCRBY', attempts, id, 1) end
if lastError ~= '' then redis.call('HSET', errors, id, lastError) end
return 1`;

const SETTLE = `
local results, counts, pending, leased, owners = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local key, value, file = ARGV[1], ARGV[2], ARGV[3]
redis.call('ZREM', pending, key); redis.call('ZREM', leased, key); redis.call('HDEL', owners, key)
if redis.call('HSETNX', results, key, value) == 1 then redis.call('HINCRBY', counts, file, 1); return 1 end
return 0`;

interface ScriptedRedis extends Redis {
  batchClaim(...args: (string | number)[]): Promise<string[]>;
  batchRenew(...args: (string | number)[]): Promise<number>;
  batchRelease(...args: (string | number)[]): Promise<number>;
  batchSettle(...args: (string | number)[]): Promise<number>;
}

interface StoredLine {
  line: number;
  body: Record<string, unknown>;
}

const CHUNK = 500;

export class RedisBatchStore implements BatchStore {
  private readonly redis: ScriptedRedis;

  constructor(url: string, private readonly prefix = 'freeway:batch:') {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    redis.on('error', () => {}); // the engine sees failed commands and retries; ioredis reconnects by itself
    redis.defineCommand('batchClaim', { numberOfKeys: 3, lua: CLAIM });
    redis.defineCommand('batchRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('batchRelease', { numberOfKeys: 5, lua: RELEASE });
    redis.defineCommand('batchSettle', { numberOfKeys: 5, lua: SETTLE });
    this.redis = redis as ScriptedRedis;
  }

  /** Resolves once connected (or after `timeoutMs`, leaving reconnection to ioredis and retries to the engine). */
  async ready(timeoutMs = 5_000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.redis.once('ready', () => (clearTimeout(timer), resolve()));
    });
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  private lineKeys(batchId: string) {
    const k = (name: string) => this.key('b', batchId, name);
    return { lines: k('lines'), pending: k('pending'), leased: k('leased'), owners: k('owners'), attempts: k('attempts'), errors: k('errors'), results: k('results'), counts: k('counts') };
  }

  async saveFile(file: FileObject, content: Buffer): Promise<void> {
    await this.redis.hset(this.key('file', file.id), { meta: JSON.stringify(file), content });
  }

  async getFile(id: string): Promise<FileObject | undefined> {
    const meta = await this.redis.hget(this.key('file', id), 'meta');
    return meta ? (JSON.parse(meta) as FileObject) : undefined;
  }

  async getFileContent(id: string): Promise<Buffer | undefined> {
    return (await this.redis.hgetBuffer(this.key('file', id), 'content')) ?? undefined;
  }

  async deleteFile(id: string): Promise<boolean> {
    return (await this.redis.del(this.key('file', id))) > 0;
  }

  async createBatch(batch: BatchObject, lines: readonly QueuedLine[], settled: readonly SettledLine[]): Promise<void> {
    const keys = this.lineKeys(batch.id);
    for (let i = 0; i < lines.length; i += CHUNK) {
      const chunk = lines.slice(i, i + CHUNK);
      const pipeline = this.redis.multi();
      pipeline.hset(keys.lines, Object.fromEntries(chunk.map((l) => [l.customId, JSON.stringify({ line: l.line, body: l.body } satisfies StoredLine)])));
      pipeline.zadd(keys.pending, ...chunk.flatMap((l) => [batch.created_at * 1000, l.customId]));
      await pipeline.exec();
    }
    for (const s of settled) await this.settleLine(batch.id, s);
    // The record comes last: a batch whose creation was cut short stays invisible.
    const seq = await this.redis.incr(this.key('seq'));
    await this.redis.multi().set(this.key('batch', batch.id), JSON.stringify(batch)).zadd(this.key('batches'), seq, batch.id).sadd(this.key('active'), batch.id).exec();
  }

  async getBatch(id: string, options: { withCounts?: boolean } = {}): Promise<BatchObject | undefined> {
    const record = await this.redis.get(this.key('batch', id));
    if (!record) return undefined;
    const batch = JSON.parse(record) as BatchObject;
    return options.withCounts === false ? batch : this.withCounts(batch);
  }

  async saveBatch(batch: BatchObject): Promise<void> {
    const multi = this.redis.multi().set(this.key('batch', batch.id), JSON.stringify(batch));
    if (ACTIVE_STATUSES.includes(batch.status)) multi.sadd(this.key('active'), batch.id);
    else multi.srem(this.key('active'), batch.id);
    await multi.exec();
  }

  async listBatches(after: string | undefined, limit: number): Promise<BatchPage> {
    let max = '+inf';
    if (after !== undefined) {
      const seq = await this.redis.zscore(this.key('batches'), after);
      if (seq === null) return { data: [], hasMore: false };
      max = `(${seq}`;
    }
    const ids = await this.redis.zrevrangebyscore(this.key('batches'), max, '-inf', 'LIMIT', 0, limit + 1);
    const data: BatchObject[] = [];
    for (const id of ids.slice(0, limit)) {
      const batch = await this.getBatch(id);
      if (batch) data.push(batch);
    }
    return { data, hasMore: ids.length > limit };
  }

  async activeBatchIds(): Promise<string[]> {
    const ids = await this.redis.smembers(this.key('active'));
    if (ids.length === 0) return [];
    const seqs = await Promise.all(ids.map((id) => this.redis.zscore(this.key('batches'), id)));
    return ids.map((id, i) => ({ id, seq: Number(seqs[i] ?? 0) })).sort((a, b) => a.seq - b.seq).map((e) => e.id);
  }

  async claimLines(batchId: string, request: ClaimRequest): Promise<ClaimedLine[]> {
    const keys = this.lineKeys(batchId);
    const ids = await this.redis.batchClaim(keys.pending, keys.leased, keys.owners, request.now, request.leaseUntil, request.limit, request.owner);
    if (ids.length === 0) return [];
    const [stored, attempts, errors] = await Promise.all([this.redis.hmget(keys.lines, ...ids), this.redis.hmget(keys.attempts, ...ids), this.redis.hmget(keys.errors, ...ids)]);
    return ids.flatMap((customId, i) => {
      const line = stored[i];
      if (!line) return [];
      const parsed = JSON.parse(line) as StoredLine;
      return [{ batchId, customId, line: parsed.line, body: parsed.body, attempts: Number(attempts[i] ?? 0), lastError: errors[i] ?? null }];
    });
  }

  async renewLeases(batchId: string, customIds: readonly string[], owner: string, leaseUntil: number): Promise<void> {
    if (customIds.length === 0) return;
    const keys = this.lineKeys(batchId);
    await this.redis.batchRenew(keys.leased, keys.owners, leaseUntil, owner, ...customIds);
  }

  async releaseLine(batchId: string, customId: string, request: ReleaseRequest): Promise<void> {
    const k = this.lineKeys(batchId);
    await this.redis.batchRelease(k.pending, k.leased, k.owners, k.attempts, k.errors, customId, request.owner, request.notBefore, request.lastError ?? '', request.countsAsAttempt ? 1 : 0);
  }

  async settleLine(batchId: string, settled: SettledLine): Promise<boolean> {
    const k = this.lineKeys(batchId);
    const value = JSON.stringify({ line: settled.line, file: settled.file, result: settled.result });
    return (await this.redis.batchSettle(k.results, k.counts, k.pending, k.leased, k.owners, settled.key, value, settled.file)) === 1;
  }

  async unsettledLines(batchId: string): Promise<{ customId: string; line: number; lastError: string | null }[]> {
    const k = this.lineKeys(batchId);
    const ids = [...(await this.redis.zrange(k.pending, 0, -1)), ...(await this.redis.zrange(k.leased, 0, -1))];
    if (ids.length === 0) return [];
    const [stored, errors] = await Promise.all([this.redis.hmget(k.lines, ...ids), this.redis.hmget(k.errors, ...ids)]);
    return ids
      .map((customId, i) => ({ customId, line: stored[i] ? (JSON.parse(stored[i]) as StoredLine).line : 0, lastError: errors[i] ?? null }))
      .sort((a, b) => a.line - b.line);
  }

  async counts(batchId: string, now: number): Promise<LineCounts> {
    const k = this.lineKeys(batchId);
    const [counts, pending, deferred, leased, oldest] = await Promise.all([
      this.redis.hgetall(k.counts),
      this.redis.zcard(k.pending),
      this.redis.zcount(k.pending, `(${now}`, '+inf'),
      this.redis.zcard(k.leased),
      this.redis.zrange(k.pending, 0, 0, 'WITHSCORES'),
    ]);
    const completed = Number(counts['output'] ?? 0);
    const failed = Number(counts['error'] ?? 0) + Number(counts['none'] ?? 0);
    return { total: completed + failed + pending + leased, completed, failed, pending, deferred, leased, oldestPendingAt: oldest[1] === undefined ? null : Number(oldest[1]) };
  }

  async settledLines(batchId: string): Promise<SettledLine[]> {
    const all = await this.redis.hgetall(this.lineKeys(batchId).results);
    return Object.entries(all)
      .map(([key, value]) => ({ key, ...(JSON.parse(value) as Omit<SettledLine, 'key'>) }))
      .sort((a, b) => a.line - b.line);
  }

  /** Leases on a shared store belong to live processes too: they end by themselves, never all at once. */
  async releaseAllLeases(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async withCounts(batch: BatchObject): Promise<BatchObject> {
    const counts = await this.counts(batch.id, 0);
    return { ...batch, request_counts: { total: counts.total, completed: counts.completed, failed: counts.failed } };
  }
}
