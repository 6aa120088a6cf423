import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { FreewayError, type ErrorCode } from '../../src/core/errors.js';
import {
  FailoverError,
  RetryBudget,
  createBreakerRegistry,
  runWithFailover,
  type AttemptContext,
  type FailoverOptions,
} from '../../src/resilience/index.js';

interface Candidate {
  id: string;
  providerId: string;
  window: number;
}

const candidate = (id: string, window = 8_192): Candidate => ({ id, providerId: id.split('/')[0] ?? id, window });
const fail = (code: ErrorCode, retryAfterMs?: number) =>
  new FreewayError(code, `${code} happened`, retryAfterMs === undefined ? {} : { retryAfterMs });

type Step = 'ok' | FreewayError | 'hang';

/** An attempt function that plays a script per candidate and records every call. */
function scripted(script: Record<string, Step[]>) {
  const calls: { id: string; context: AttemptContext; at: number }[] = [];
  let clock: ManualClock | undefined;
  const attempt = (c: Candidate, context: AttemptContext): Promise<string> => {
    calls.push({ id: c.id, context, at: clock?.now() ?? 0 });
    const step = script[c.id]?.shift() ?? 'ok';
    if (step === 'ok') return Promise.resolve(`answer from ${c.id}`);
    if (step === 'hang') {
      return new Promise((_resolve, reject) =>
        context.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    return Promise.reject(step);
  };
  return { calls, attempt, useClock: (c: ManualClock) => (clock = c) };
}

function setup(script: Record<string, Step[]>, overrides: Partial<FailoverOptions<Candidate, string>> = {}) {
  const clock = new ManualClock();
  const play = scripted(script);
  play.useClock(clock);
  const options: FailoverOptions<Candidate, string> = {
    candidates: [candidate('a/m'), candidate('b/m'), candidate('c/m')],
    attempt: play.attempt,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1_000, capMs: 8_000 },
    ...overrides,
  };
  return { clock, calls: play.calls, run: () => runWithFailover(options) };
}

async function rejection(promise: Promise<unknown>): Promise<FailoverError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(FailoverError);
  return error as FailoverError;
}

describe('runWithFailover', () => {
  it('moves on in order on an `other` failure and counts upstream calls', async () => {
    const { run, calls } = setup({ 'a/m': [fail('upstream_overloaded')] });
    const result = await run();
    expect(result.value).toBe('answer from b/m');
    expect(result.candidate.id).toBe('b/m');
    expect(result.attempts).toBe(2);
    expect(result.failures.map((f) => [f.candidate.id, f.error.code])).toEqual([['a/m', 'upstream_overloaded']]);
    expect(calls.map((c) => [c.id, c.context.attemptNumber, c.context.retryNumber])).toEqual([
      ['a/m', 1, 0],
      ['b/m', 2, 0],
    ]);
  });

  it('retries the same candidate after a jittered delay on a `same` failure', async () => {
    const { run, calls, clock } = setup({ 'a/m': [fail('upstream_server_error')] });
    const pending = run();
    await clock.advance(0);
    expect(calls).toHaveLength(1);
    await clock.advance(499); // random 0.5 × base 1000
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    const result = await pending;
    expect(result.candidate.id).toBe('a/m');
    expect(result.attempts).toBe(2);
    expect(calls.map((c) => [c.id, c.context.retryNumber, c.at - (calls[0]?.at ?? 0)])).toEqual([
      ['a/m', 0, 0],
      ['a/m', 1, 500],
    ]);
  });

  it('waits at least the Retry-After before retrying the same candidate', async () => {
    const { run, calls, clock } = setup({ 'a/m': [fail('upstream_connection_reset', 3_000)] });
    const pending = run();
    await clock.advance(0);
    await clock.advance(3_000);
    expect(calls).toHaveLength(1);
    await clock.advance(500);
    expect((await pending).attempts).toBe(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBe(3_500);
  });

  it('gives up on the same candidate when the deadline leaves no room for the delay', async () => {
    const clock = new ManualClock();
    const { run, calls } = setup(
      { 'a/m': [fail('upstream_server_error', 10_000)] },
      { clock, deadline: clock.now() + 5_000 },
    );
    const result = await run();
    expect(result.candidate.id).toBe('b/m');
    expect(calls.map((c) => c.id)).toEqual(['a/m', 'b/m']);
  });

  it('never retries a 400: it stops and throws it with the attempts made', async () => {
    const badRequest = new FreewayError('upstream_bad_request', "Invalid value for 'temperature'", {
      param: 'temperature',
    });
    const { run, calls } = setup({ 'a/m': [fail('upstream_overloaded')], 'b/m': [badRequest] });
    const error = await rejection(run());
    expect(error.code).toBe('upstream_bad_request');
    expect(error.status).toBe(400);
    expect(error.message).toBe("Invalid value for 'temperature'");
    expect(error.param).toBe('temperature');
    expect(error.attempts).toBe(2);
    expect(calls.map((c) => c.id)).toEqual(['a/m', 'b/m']);
  });

  it('skips candidates whose breaker is open and records outcomes in the breakers', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1, halfOpenAfterMs: 60_000 });
    const first = setup({ 'a/m': [fail('upstream_first_byte_timeout')] }, { clock, breakers });
    expect((await first.run()).candidate.id).toBe('b/m');
    expect(breakers.state('a/m')).toBe('open');
    expect(breakers.state('b/m')).toBe('closed');

    const second = setup({}, { clock, breakers });
    const result = await second.run();
    expect(result.candidate.id).toBe('b/m');
    expect(result.attempts).toBe(1);
    expect(second.calls.map((c) => c.id)).toEqual(['b/m']);
  });

  it('throws no_healthy_provider with zero attempts when every breaker is open', async () => {
    const clock = new ManualClock();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1 });
    for (const id of ['a/m', 'b/m', 'c/m']) breakers.recordFailure(id, fail('upstream_server_error'));
    const error = await rejection(setup({}, { clock, breakers }).run());
    expect(error.code).toBe('no_healthy_provider');
    expect(error.attempts).toBe(0);
  });

  it('keeps retries within the provider budget, counting a second deployment of a called provider as a retry', async () => {
    const clock = new ManualClock();
    const retryBudget = new RetryBudget({ clock, ratio: 0, minRetries: 0 });
    const { run, calls } = setup(
      { 'a/m': [fail('upstream_server_error')], 'a/m2': [fail('upstream_server_error')] },
      { clock, retryBudget, candidates: [candidate('a/m'), candidate('a/m2'), candidate('b/m')] },
    );
    const result = await run();
    expect(result.candidate.id).toBe('b/m');
    expect(calls.map((c) => c.id)).toEqual(['a/m', 'b/m']);
    expect(retryBudget.snapshot().map((s) => [s.providerId, s.requests, s.retries])).toEqual([
      ['a', 1, 0],
      ['b', 1, 0],
    ]);
  });

  it('during an outage, upstream calls stay near one per request', async () => {
    const clock = new ManualClock();
    const retryBudget = new RetryBudget({ clock, ratio: 0.2, minRetries: 5 });
    let upstreamCalls = 0;
    for (let i = 0; i < 200; i += 1) {
      const settled = rejection(
        runWithFailover({
          candidates: [candidate('down/m'), candidate('down/m2')],
          attempt: () => {
            upstreamCalls += 1;
            return Promise.reject(fail('upstream_server_error'));
          },
          clock,
          retryBudget,
          random: () => 0,
          maxTriesPerCandidate: 3,
        }),
      );
      for (let step = 0; step < 10; step += 1) await clock.advance(0);
      await settled;
      await clock.advance(40);
    }
    // Without a budget: 200 × 6 = 1,200 calls. With it: ≤ 200 + 20% + the floor per window.
    expect(upstreamCalls).toBeLessThanOrEqual(200 * 1.2 + 5);
  });

  it('aborts the call in flight at the deadline and throws upstream_total_timeout', async () => {
    const clock = new ManualClock();
    const { run, calls } = setup({ 'a/m': ['hang'] }, { clock, deadline: clock.now() + 5_000 });
    const pending = rejection(run());
    await clock.advance(4_999);
    expect(calls[0]?.context.signal.aborted).toBe(false);
    await clock.advance(1);
    const error = await pending;
    expect(error.code).toBe('upstream_total_timeout');
    expect(error.attempts).toBe(1);
    expect(calls[0]?.context.signal.aborted).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('stops when the client disconnects, aborting the call and leaving the breaker alone', async () => {
    const clock = new ManualClock();
    const client = new AbortController();
    const breakers = createBreakerRegistry({ clock, failureThreshold: 1 });
    const { run, calls } = setup({ 'a/m': ['hang'] }, { clock, breakers, signal: client.signal });
    const pending = rejection(run());
    await clock.advance(100);
    client.abort();
    const error = await pending;
    expect(error.code).toBe('client_closed');
    expect(error.attempts).toBe(1);
    expect(calls[0]?.context.signal.aborted).toBe(true);
    expect(calls.map((c) => c.id)).toEqual(['a/m']);
    expect(breakers.state('a/m')).toBe('closed');
  });

  it('leaves the winner’s signal alive after success, still following the client but not the deadline', async () => {
    const clock = new ManualClock();
    const client = new AbortController();
    const { run, calls } = setup(
      { 'a/m': [fail('upstream_overloaded')] },
      { clock, signal: client.signal, deadline: clock.now() + 1_000 },
    );
    const result = await run();
    const winner = calls[1]?.context.signal;
    expect(result.candidate.id).toBe('b/m');
    expect(calls[0]?.context.signal.aborted).toBe(true);
    await clock.advance(5_000);
    expect(winner?.aborted).toBe(false);
    client.abort();
    expect(winner?.aborted).toBe(true);
  });

  it('does not start when the client already left', async () => {
    const client = new AbortController();
    client.abort();
    const { run, calls } = setup({}, { signal: client.signal });
    expect((await rejection(run())).code).toBe('client_closed');
    expect(calls).toHaveLength(0);
  });

  it('when all fail, throws the most informative error with the soonest Retry-After and every failure', async () => {
    const { run } = setup(
      {
        'a/m': [fail('upstream_server_error')],
        'b/m': [fail('upstream_rate_limited', 9_000)],
        'c/m': [fail('upstream_rate_limited', 2_000)],
        'd/m': [fail('upstream_connect_failed')],
      },
      { candidates: ['a/m', 'b/m', 'c/m', 'd/m'].map((id) => candidate(id)), maxTriesPerCandidate: 1 },
    );
    const error = await rejection(run());
    expect(error.code).toBe('upstream_rate_limited');
    expect(error.retryAfterMs).toBe(2_000);
    expect(error.attempts).toBe(4);
    expect(error.failures.map((f) => f.error.code)).toEqual([
      'upstream_server_error',
      'upstream_rate_limited',
      'upstream_rate_limited',
      'upstream_connect_failed',
    ]);
  });

  it('lets onFailure steer: a context-length failure skips the smaller windows', async () => {
    const tooLong = new FreewayError('context_length_exceeded', "This model's maximum context length is 8192 tokens");
    let needs = 0;
    const seen: string[] = [];
    const { run, calls } = setup(
      { 'a/m': [tooLong] },
      {
        candidates: [candidate('a/m', 8_192), candidate('b/m', 8_192), candidate('c/m', 32_768)],
        onFailure: (c, error) => {
          seen.push(`${c.id}:${error.code}`);
          if (error.code === 'context_length_exceeded') needs = c.window + 1;
        },
        shouldSkip: (c) => c.window < needs,
      },
    );
    const result = await run();
    expect(result.candidate.id).toBe('c/m');
    expect(calls.map((c) => c.id)).toEqual(['a/m', 'c/m']);
    expect(seen).toEqual(['a/m:context_length_exceeded']);
  });

  it('stops at maxAttempts', async () => {
    const { run, calls } = setup(
      {
        'a/m': [fail('upstream_overloaded')],
        'b/m': [fail('upstream_overloaded')],
        'c/m': [fail('upstream_overloaded')],
      },
      { maxAttempts: 2 },
    );
    const error = await rejection(run());
    expect(error.attempts).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('classifies what the attempt throws, with a caller-supplied classifier', async () => {
    const clock = new ManualClock();
    const result = await runWithFailover({
      candidates: [candidate('a/m'), candidate('b/m')],
      attempt: (c) => (c.id === 'a/m' ? Promise.reject(new Error('boom')) : Promise.resolve(1)),
      classify: () => new FreewayError('upstream_bad_response', 'malformed'),
      clock,
    });
    expect(result.value).toBe(1);
    expect(result.failures[0]?.error.code).toBe('upstream_bad_response');
  });
});
