import { describe, expect, it } from 'vitest';
import { createEventLog, createMetrics, OVERFLOW_LABEL, type EventLogger } from '../../src/telemetry/index.js';

describe('createMetrics', () => {
  it('renders every series with its labels after recording', async () => {
    const metrics = createMetrics();
    metrics.requestCompleted({ route: '/v1/chat/completions', model: 'llama-3.3-70b', outcome: 'ok', durationMs: 120 });
    metrics.upstreamCall({ provider: 'groq', model: 'llama-3.3-70b', outcome: 'ok', totalMs: 800, firstTokenMs: 150 });
    metrics.upstreamCall({
      provider: 'cerebras',
      model: 'llama-3.3-70b',
      outcome: 'upstream_rate_limited',
      totalMs: 40,
    });
    metrics.tokensUsed({ provider: 'groq', model: 'llama-3.3-70b', promptTokens: 12, completionTokens: 30 });
    metrics.tokensUsed({ provider: 'groq', model: 'llama-3.3-70b', promptTokens: 8 });
    metrics.quotaRemaining({ bucket: 'groq:key1', unit: 'requests', window: 'minute', remaining: 29 });
    metrics.quotaParked({ bucket: 'groq:key1', parked: 3 });
    metrics.queueDepth({ priority: 'high', depth: 2 });
    metrics.breakerState({ deployment: 'groq/llama-3.3-70b', state: 'half-open' });
    metrics.breakerState({ deployment: 'cerebras/llama-3.3-70b', state: 'open' });
    metrics.cacheEvent({ tier: 'memory', event: 'hit' });
    metrics.retry({ provider: 'cerebras', reason: 'upstream_rate_limited' });
    metrics.storeFallback({ store: 'quota' });

    const text = await metrics.render();
    const expected = [
      'freeway_requests_total{route="/v1/chat/completions",model="llama-3.3-70b",outcome="ok"} 1',
      'freeway_request_duration_seconds_bucket{le="0.25",route="/v1/chat/completions",outcome="ok"} 1',
      'freeway_request_duration_seconds_bucket{le="0.1",route="/v1/chat/completions",outcome="ok"} 0',
      'freeway_request_duration_seconds_sum{route="/v1/chat/completions",outcome="ok"} 0.12',
      'freeway_upstream_calls_total{provider="groq",model="llama-3.3-70b",outcome="ok"} 1',
      'freeway_upstream_calls_total{provider="cerebras",model="llama-3.3-70b",outcome="upstream_rate_limited"} 1',
      'freeway_upstream_latency_seconds_sum{provider="groq",model="llama-3.3-70b",outcome="ok",phase="total"} 0.8',
      'freeway_upstream_latency_seconds_sum{provider="groq",model="llama-3.3-70b",outcome="ok",phase="first_token"} 0.15',
      'freeway_upstream_latency_seconds_count{provider="cerebras",model="llama-3.3-70b",outcome="upstream_rate_limited",phase="total"} 1',
      'freeway_tokens_total{provider="groq",model="llama-3.3-70b",kind="prompt"} 20',
      'freeway_tokens_total{provider="groq",model="llama-3.3-70b",kind="completion"} 30',
      'freeway_quota_remaining{bucket="groq:key1",unit="requests",window="minute"} 29',
      'freeway_quota_parked{bucket="groq:key1"} 3',
      'freeway_queue_depth{priority="high"} 2',
      'freeway_breaker_state{deployment="groq/llama-3.3-70b"} 1',
      'freeway_breaker_state{deployment="cerebras/llama-3.3-70b"} 2',
      'freeway_cache_events_total{tier="memory",event="hit"} 1',
      'freeway_retries_total{provider="cerebras",reason="upstream_rate_limited"} 1',
      'freeway_store_fallback_total{store="quota"} 1',
    ];
    const rendered = new Set(text.split('\n'));
    for (const line of expected) expect(rendered, line).toContain(line);
    expect(text).toContain('# TYPE freeway_upstream_latency_seconds histogram');
    expect(text).toContain('# TYPE freeway_quota_remaining gauge');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps gauges current rather than summed', async () => {
    const metrics = createMetrics();
    metrics.breakerState({ deployment: 'a/m', state: 'open' });
    metrics.breakerState({ deployment: 'a/m', state: 'closed' });
    metrics.queueDepth({ priority: 'low', depth: 5 });
    metrics.queueDepth({ priority: 'low', depth: 1 });
    const text = await metrics.render();
    expect(text).toContain('freeway_breaker_state{deployment="a/m"} 0');
    expect(text).toContain('freeway_queue_depth{priority="low"} 1');
  });

  it('gives each instance its own registry, so two gateways can live in one process', async () => {
    const first = createMetrics();
    const second = createMetrics();
    first.retry({ provider: 'groq', reason: 'timeout' });
    expect(await first.render()).toContain('freeway_retries_total{provider="groq",reason="timeout"} 1');
    expect(await second.render()).not.toContain('provider="groq"');
  });

  it('folds label values beyond the bound into "other"', async () => {
    const metrics = createMetrics({ maxLabelValues: 3 });
    for (let index = 0; index < 10; index += 1) {
      metrics.requestCompleted({
        route: '/v1/chat/completions',
        model: `random-${index}`,
        outcome: 'model_not_found',
        durationMs: 1,
      });
    }
    metrics.requestCompleted({
      route: '/v1/chat/completions',
      model: 'random-1',
      outcome: 'model_not_found',
      durationMs: 1,
    });
    const series = (await metrics.render()).split('\n').filter((line) => line.startsWith('freeway_requests_total{'));
    expect(series).toEqual([
      'freeway_requests_total{route="/v1/chat/completions",model="random-0",outcome="model_not_found"} 1',
      'freeway_requests_total{route="/v1/chat/completions",model="random-1",outcome="model_not_found"} 2',
      'freeway_requests_total{route="/v1/chat/completions",model="random-2",outcome="model_not_found"} 1',
      `freeway_requests_total{route="/v1/chat/completions",model="${OVERFLOW_LABEL}",outcome="model_not_found"} 7`,
    ]);
  });

  it('truncates very long label values', async () => {
    const metrics = createMetrics();
    metrics.retry({ provider: 'p'.repeat(500), reason: 'x' });
    const line = (await metrics.render()).split('\n').find((row) => row.startsWith('freeway_retries_total{'));
    expect(line).toBe(`freeway_retries_total{provider="${'p'.repeat(96)}",reason="x"} 1`);
  });

  it('can add process metrics to its own registry', async () => {
    const text = await createMetrics({ processMetrics: true }).render();
    expect(text).toContain('freeway_process_cpu_user_seconds_total');
  });
});

describe('createEventLog', () => {
  function recordingLogger() {
    const lines: { level: string; fields: Record<string, unknown>; message: string | undefined }[] = [];
    const logger: EventLogger = {
      info: (fields, message) => lines.push({ level: 'info', fields: { ...fields }, message }),
      warn: (fields, message) => lines.push({ level: 'warn', fields: { ...fields }, message }),
      error: (fields, message) => lines.push({ level: 'error', fields: { ...fields }, message }),
    };
    return { logger, lines };
  }

  it('writes one structured line per event at its level', () => {
    const { logger, lines } = recordingLogger();
    const events = createEventLog(logger);
    events.info('upstream.call', { provider: 'groq', status: 200, streamed: true, skipped: undefined });
    events.warn('breaker.open', { deployment: 'groq/llama' });
    events.error('store.fallback');
    expect(lines).toEqual([
      {
        level: 'info',
        fields: { event: 'upstream.call', provider: 'groq', status: 200, streamed: true },
        message: 'upstream.call',
      },
      { level: 'warn', fields: { event: 'breaker.open', deployment: 'groq/llama' }, message: 'breaker.open' },
      { level: 'error', fields: { event: 'store.fallback' }, message: 'store.fallback' },
    ]);
  });

  it('never logs a secret', () => {
    const { logger, lines } = recordingLogger();
    const events = createEventLog(logger, { secrets: () => ['custom-provider-secret'] });
    events.warn('upstream.error', {
      apiKey: 'anything',
      authorization: 'Bearer abc',
      detail: 'failed with custom-provider-secret and gsk_abcdefghijklmnop and Bearer tok_123456789',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('custom-provider-secret');
    expect(text).not.toContain('gsk_abcdefghijklmnop');
    expect(text).not.toContain('tok_123456789');
    expect(text).not.toContain('anything');
    expect(lines[0]?.fields.apiKey).toBe('[redacted]');
  });
});
