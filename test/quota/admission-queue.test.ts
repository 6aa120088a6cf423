import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { FreewayError } from '../../src/core/errors.js';
import { MINUTE, SECOND } from '../../src/core/limits.js';
import {
  createAdmissionQueue,
  createMemoryQuotaStore,
  createQuotaLedger,
  type AdmitAttempt,
  type BucketSpec,
  type Priority,
  type QuotaLedger,
  type Reservation,
} from '../../src/quota/index.js';

const flush = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const queue = createAdmissionQueue({ clock });
  const ledger = createQuotaLedger({ store: createMemoryQuotaStore(), clock, onSettle: () => queue.notify() });
  return { clock, queue, ledger };
}

/** What the gateway does: reserve on the bucket, or report when it has room. */
const reserveOn =
  (ledger: QuotaLedger, buckets: BucketSpec[], tokens = 0) =>
  async (): Promise<AdmitAttempt<Reservation>> => {
    const result = await ledger.tryReserve({ buckets, tokens });
    if (result.ok) return { ok: true, value: result.reservation };
    return { ok: false, retryAt: result.retryAt, ...(typeof result.blocking.limit === 'object' ? { limit: result.blocking.limit } : {}) };
  };

const perMinute = (amount: number): BucketSpec[] => [{ key: 'p:k', limits: [{ unit: 'requests', amount, windowMs: MINUTE }] }];

describe('admission queue', () => {
  it('admits at once when there is room', async () => {
    const { clock, queue, ledger } = setup();
    const reservation = await queue.admit(reserveOn(ledger, perMinute(1)), { priority: 'normal', deadline: clock.now() });
    expect(reservation.bucketKeys).toEqual(['p:k']);
  });

  it('waits for the time capacity returns, not a poll', async () => {
    const { clock, queue, ledger } = setup();
    const buckets = perMinute(2); // one request every 30 s
    let calls = 0;
    const tryAdmit = reserveOn(ledger, buckets);
    const counted = async () => {
      calls += 1;
      return tryAdmit();
    };
    await queue.admit(counted, { priority: 'normal', deadline: clock.now() + MINUTE });
    await queue.admit(counted, { priority: 'normal', deadline: clock.now() + MINUTE });
    let isAdmitted = false;
    const waiting = queue.admit(counted, { priority: 'normal', deadline: clock.now() + MINUTE }).then(() => (isAdmitted = true));
    await flush();
    expect(queue.depth()).toEqual({ high: 0, normal: 1, low: 0 });
    await clock.advance(30 * SECOND - 1);
    expect(isAdmitted).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(calls).toBe(4); // two at once, one denied, one on the timer
    expect(queue.depth()).toEqual({ high: 0, normal: 0, low: 0 });
  });

  it('serves high priority before low when both wait for the same capacity', async () => {
    const { clock, queue, ledger } = setup();
    const buckets = perMinute(1);
    await queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() });
    const order: Priority[] = [];
    const deadline = clock.now() + 5 * MINUTE;
    const waiters = (['low', 'normal', 'high', 'low', 'high'] as const).map((priority) =>
      queue.admit(reserveOn(ledger, buckets), { priority, deadline }).then(() => order.push(priority)),
    );
    await flush();
    expect(queue.depth()).toEqual({ high: 2, normal: 1, low: 2 });
    for (let i = 0; i < 5; i += 1) await clock.advance(MINUTE);
    await Promise.all(waiters);
    expect(order).toEqual(['high', 'high', 'normal', 'low', 'low']);
  });

  it('wakes waiters when a settle gives capacity back', async () => {
    const { clock, queue, ledger } = setup();
    const buckets: BucketSpec[] = [{ key: 'p:k', limits: [{ unit: 'tokens', amount: 1000, windowMs: MINUTE }] }];
    const first = await queue.admit(reserveOn(ledger, buckets, 800), { priority: 'normal', deadline: clock.now() });
    let isAdmitted = false;
    const waiting = queue.admit(reserveOn(ledger, buckets, 800), { priority: 'normal', deadline: clock.now() + MINUTE }).then(() => (isAdmitted = true));
    await flush();
    expect(isAdmitted).toBe(false);
    await ledger.settle(first, { tokens: 150 }); // 850 tokens free now: no time has passed
    await waiting;
    expect(isAdmitted).toBe(true);
  });

  it('answers quota_exhausted at once, with the true Retry-After, when capacity returns after the deadline', async () => {
    const { clock, queue, ledger } = setup();
    const buckets = perMinute(2);
    await queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() });
    await queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() });
    const error = await queue
      .admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() + 10 * SECOND })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FreewayError);
    const failure = error as FreewayError;
    expect(failure).toMatchObject({ code: 'quota_exhausted', status: 429, retryAfterMs: 30 * SECOND });
    expect(failure.headers).toEqual({
      'Retry-After': '30',
      RateLimit: '"quota";r=0;t=30',
      'RateLimit-Policy': '"quota";q=2;w=60;qu="requests"',
    });
    expect(queue.depth()).toEqual({ high: 0, normal: 0, low: 0 });
  });

  it('gives up at the deadline when the wait turned out longer than promised', async () => {
    const { clock, queue, ledger } = setup();
    const buckets = perMinute(1);
    await queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() });
    const deadline = clock.now() + 90 * SECOND;
    const first = queue.admit(reserveOn(ledger, buckets), { priority: 'high', deadline });
    const second = queue.admit(reserveOn(ledger, buckets), { priority: 'low', deadline }).catch((e: unknown) => e);
    await flush();
    await clock.advance(MINUTE);
    await first;
    // The low request lost the minute's capacity to the high one; the next is at +120 s, past its deadline.
    const error = (await second) as FreewayError;
    expect(error.code).toBe('quota_exhausted');
    expect(error.retryAfterMs).toBe(MINUTE);
  });

  it('waits on unknown capacity for a notify, then fails at the deadline', async () => {
    const { clock, queue } = setup();
    let isFree = false;
    const tryAdmit = async (): Promise<AdmitAttempt<string>> => (isFree ? { ok: true, value: 'slot' } : { ok: false });
    const admitted = queue.admit(tryAdmit, { priority: 'normal', deadline: clock.now() + 5 * SECOND });
    await flush();
    isFree = true;
    queue.notify();
    expect(await admitted).toBe('slot');

    isFree = false;
    const refused = queue.admit(tryAdmit, { priority: 'normal', deadline: clock.now() + 5 * SECOND }).catch((e: unknown) => e);
    await flush();
    await clock.advance(5 * SECOND);
    expect(await refused).toMatchObject({ code: 'quota_exhausted', retryAfterMs: 1000 });
  });

  it('drops a waiting request when its caller aborts', async () => {
    const { clock, queue, ledger } = setup();
    const buckets = perMinute(1);
    await queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() });
    const controller = new AbortController();
    const waiting = queue.admit(reserveOn(ledger, buckets), { priority: 'normal', deadline: clock.now() + 2 * MINUTE, signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    controller.abort(new Error('client closed'));
    expect(await waiting).toMatchObject({ message: 'client closed' });
    expect(queue.depth().normal).toBe(0);
    await clock.advance(MINUTE);
    // The capacity the aborted request would have taken is still there.
    expect((await ledger.tryReserve({ buckets, tokens: 0 })).ok).toBe(true);
  });
});
