import { describe, expect, it } from 'vitest';
import { FreewayError } from '../../src/core/errors.js';
import { emptySignal } from '../../src/core/rate-limit-signal.js';
import { UpstreamFailureError, type UpstreamFailure } from '../../src/core/upstream-failure.js';
import { classifyError, classifyFailure } from '../../src/resilience/index.js';
import { parseDurationMs } from '../../src/resilience/upstream-error-body.js';
import { fixtures } from './provider-error-fixtures.js';

const http = (status: number, body: unknown, signal = emptySignal()): UpstreamFailure => ({
  kind: 'http',
  status,
  bodyText: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
  signal,
});

describe('classifyFailure on real provider error bodies', () => {
  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    const error = classifyFailure(http(fixture.status, fixture.body, fixture.signal), { deploymentId: 'prov/model' });
    expect(error).toBeInstanceOf(FreewayError);
    expect(error.code).toBe(fixture.code);
    expect(error.retry).toBe(fixture.retry);
    if (fixture.retryAfterMs !== undefined) expect(error.retryAfterMs).toBe(fixture.retryAfterMs);
    if (fixture.messageIncludes) expect(error.message).toContain(fixture.messageIncludes);
    expect(error.message).not.toMatch(/sk-proj-AbCd/);
  });

  it('trusts the dialect parser about which quota is spent', () => {
    const signal = { observations: [], exhausted: { period: 'day' as const, resetAt: Date.UTC(2026, 0, 2) } };
    const error = classifyFailure(http(429, { error: { message: 'Too many requests' } }, signal), {
      now: Date.UTC(2026, 0, 1, 23),
    });
    expect(error.code).toBe('upstream_quota_exhausted');
    expect(error.retryAfterMs).toBe(60 * 60 * 1000);

    const short = classifyFailure(
      http(429, { error: { message: 'daily digest limit' } }, { observations: [], exhausted: { period: 'short' } }),
    );
    expect(short.code).toBe('upstream_rate_limited');
  });

  it('passes a 400 on as the upstream said it, with its param, and scrubs keys from it', () => {
    const secret = 'my-custom-secret-value-123';
    const body = {
      error: {
        message: `Bad 'tools[0]': token ${secret} and Bearer abcdefghijk and gsk_abcdefghijklmnop`,
        param: 'tools',
        code: 'invalid',
      },
    };
    const error = classifyFailure(http(400, body), { secrets: [secret] });
    expect(error.code).toBe('upstream_bad_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe('tools');
    expect(error.message).toContain("Bad 'tools[0]'");
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('abcdefghijk');
    expect(error.message).not.toContain('gsk_abcdefghijklmnop');
    expect(error.toBody().error.code).toBe('upstream_bad_request');
  });

  it('never shows a raw body for errors that are not the caller’s', () => {
    const error = classifyFailure(
      http(500, { error: { message: 'stack trace at /srv/app.js with key sk-live-abcdefghijklmn' } }),
      { deploymentId: 'groq/llama' },
    );
    expect(error.message).toBe('groq/llama failed (HTTP 500)');
  });

  it('a 200 whose first event is an error is an error', () => {
    expect(classifyFailure(http(200, { error: { message: 'upstream failed mid-way' } })).code).toBe(
      'upstream_stream_error',
    );
    expect(classifyFailure(http(200, { error: { code: 429, message: 'Rate limit exceeded' } })).code).toBe(
      'upstream_rate_limited',
    );
  });

  it.each([
    ['ECONNREFUSED', 'upstream_connect_failed', 'other'],
    ['ENOTFOUND', 'upstream_connect_failed', 'other'],
    ['EAI_AGAIN', 'upstream_connect_failed', 'other'],
    ['ECONNRESET', 'upstream_connection_reset', 'same'],
    ['UND_ERR_SOCKET', 'upstream_connection_reset', 'same'],
    ['UND_ERR_CONNECT_TIMEOUT', 'upstream_connect_timeout', 'other'],
    ['UND_ERR_HEADERS_TIMEOUT', 'upstream_first_byte_timeout', 'other'],
    ['UND_ERR_BODY_TIMEOUT', 'upstream_idle_timeout', 'other'],
    ['SOMETHING_NEW', 'upstream_connect_failed', 'other'],
  ] as const)('network %s → %s (%s)', (code, expected, retry) => {
    const error = classifyFailure(
      { kind: 'network', code, message: `connect ${code} 10.0.0.1:443 key=sk-abcdefghijklmnop` },
      { deploymentId: 'p/m' },
    );
    expect(error.code).toBe(expected);
    expect(error.retry).toBe(retry);
    expect(error.message).not.toContain('sk-abcdefghijklmnop');
  });

  it.each([
    ['connect', 'upstream_connect_timeout', 'other'],
    ['first-byte', 'upstream_first_byte_timeout', 'other'],
    ['idle', 'upstream_idle_timeout', 'other'],
    ['total', 'upstream_total_timeout', 'never'],
  ] as const)('timeout in phase %s → %s', (phase, expected, retry) => {
    const error = classifyFailure({ kind: 'timeout', phase });
    expect(error.code).toBe(expected);
    expect(error.retry).toBe(retry);
  });

  it('protocol failures: a cut stream versus a malformed answer', () => {
    expect(classifyFailure({ kind: 'protocol', message: 'stream ended before [DONE]' }).code).toBe(
      'upstream_stream_error',
    );
    expect(classifyFailure({ kind: 'protocol', message: 'invalid JSON in body' }).code).toBe('upstream_bad_response');
  });

  it('keeps the failure as the cause, for the gateway to read the signal', () => {
    const failure = http(429, { error: { message: 'slow down' } }, { observations: [], retryAfterMs: 5 });
    expect(classifyFailure(failure).cause).toBe(failure);
  });
});

describe('classifyError', () => {
  it('classifies an UpstreamFailureError naming its deployment, keeps FreewayErrors, maps aborts and bugs', () => {
    const thrown = new UpstreamFailureError({ kind: 'timeout', phase: 'first-byte' }, 'groq/llama-3.3-70b');
    expect(classifyError(thrown).message).toContain('groq/llama-3.3-70b');
    const own = new FreewayError('quota_exhausted', 'No quota');
    expect(classifyError(own)).toBe(own);
    expect(classifyError(new DOMException('gone', 'AbortError')).code).toBe('client_closed');
    const bug = classifyError(new TypeError('x is undefined'));
    expect(bug.code).toBe('internal_error');
    expect(bug.retry).toBe('never');
    expect(bug.message).not.toContain('undefined');
  });
});

describe('parseDurationMs', () => {
  it('reads Go and proto durations', () => {
    expect(parseDurationMs('1m26.4s')).toBe(86_400);
    expect(parseDurationMs('577.5ms')).toBe(578);
    expect(parseDurationMs('26s')).toBe(26_000);
    expect(parseDurationMs('1h2m')).toBe(3_720_000);
    expect(parseDurationMs('soon')).toBeUndefined();
  });
});
