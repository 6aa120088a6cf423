/**
 * Gathers the reservations that arrive while one is on its way to Redis and sends them together
 * as one script call, in arrival order. Redis answers each request on its own, all or nothing, so
 * batching changes throughput, not meaning. It never retries and never falls back: the store does.
 */
import type { StoreReserveRequest, StoreReserveResult } from './quota-store.js';

export interface EncodedBatch {
  keys: string[];
  args: (string | number)[];
}

/** Lays a batch out as the reserve script reads it: each key once, requests pointing at key indexes. */
export function encodeReserveBatch(
  requests: StoreReserveRequest[],
  parkKey: (key: string) => string,
  slotKey: (id: string) => string,
): EncodedBatch {
  const keys: string[] = [];
  const indexes = new Map<string, number>();
  const indexOf = (key: string) => {
    let index = indexes.get(key);
    if (index === undefined) {
      index = keys.push(key); // Lua counts from 1
      indexes.set(key, index);
    }
    return index;
  };
  const now = requests.reduce((latest, request) => Math.max(latest, request.now), 0);
  const guard = requests.reduce((largest, request) => Math.max(largest, request.guardMs ?? 0), 0);
  const args: (string | number)[] = [now, requests.length, guard];
  for (const request of requests) {
    args.push(request.parks.length, request.slots.length);
    for (const key of request.parks) args.push(indexOf(parkKey(key)));
    for (const slot of request.slots) args.push(indexOf(slotKey(slot.id)), slot.amount, slot.windowMs, slot.periodEnd, slot.cost, slot.ceiling ?? slot.amount, slot.holdUntil ?? 0);
  }
  return { keys, args };
}

/** Reads the script's reply: per request ok, retryAt, blocking, then one number per slot (see reserveScript). */
export function decodeReserveBatch(reply: number[], requests: readonly StoreReserveRequest[]): StoreReserveResult[] {
  const results: StoreReserveResult[] = [];
  let at = 0;
  for (const request of requests) {
    const [ok, retryAt, blocking] = [reply[at], reply[at + 1], reply[at + 2]];
    const slots = request.slots.length;
    if (ok === 1) {
      const values = reply.slice(at + 3, at + 3 + slots);
      results.push({ ok: true, backend: 'redis', usedBefore: values.map((v) => (v < 0 ? -1 - v : v) / 1000), isHeld: values.map((v) => v < 0) });
    }
    else results.push({ ok: false, retryAt: retryAt === -1 ? Infinity : (retryAt ?? 0), blocking: blocking ?? 0 });
    at += 3 + slots;
  }
  return results;
}

interface Pending {
  request: StoreReserveRequest;
  resolve: (result: StoreReserveResult) => void;
  reject: (error: unknown) => void;
}

/** One batch in flight at a time; the next holds whatever arrived meanwhile (up to `maxBatch`). */
export function createReserveBatcher(
  send: (requests: StoreReserveRequest[]) => Promise<StoreReserveResult[]>,
  maxBatch = 256,
): (request: StoreReserveRequest) => Promise<StoreReserveResult> {
  let queue: Pending[] = [];
  let isSending = false;

  const flush = async (): Promise<void> => {
    isSending = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await send(batch.map((pending) => pending.request));
        batch.forEach((pending, index) => {
          const result = results[index];
          if (result) pending.resolve(result);
          else pending.reject(new Error('the reserve script answered fewer requests than it was sent'));
        });
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    isSending = false;
  };

  return (request) =>
    new Promise<StoreReserveResult>((resolve, reject) => {
      queue.push({ request, resolve, reject });
      // Wait one microtask so callers released together by the last reply share the next batch.
      if (!isSending) {
        isSending = true;
        queueMicrotask(() => void flush());
      }
    });
}
