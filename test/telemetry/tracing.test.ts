import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import type { Gateway, GatewayResult, RequestContext } from '../../src/gateway/types.js';
import { defaultFleet, fleetGatewayConfig, startFleet, type RunningFleet } from '../../src/simulator/index.js';
import { createTracing } from '../../src/telemetry/tracing.js';

const context = (requestId: string): RequestContext => ({ requestId, priority: 'normal', maxWaitMs: 5000, signal: new AbortController().signal });
const drain = async (result: GatewayResult) => {
  if (result.kind === 'stream') for await (const batch of result.chunks) void batch;
};
const configFor = (fleet: RunningFleet, extra: Record<string, unknown> = {}) =>
  parseConfig(JSON.stringify({ ...fleetGatewayConfig(fleet), cache: { mode: 'off', sqlitePath: null }, routing: { predictorPath: null }, ...extra }), { env: {}, fileName: 'tracing test' });

describe('OpenTelemetry traces', () => {
  let fleet: RunningFleet;
  let gateway: Gateway;
  const exporter = new InMemorySpanExporter();
  beforeAll(async () => {
    fleet = await startFleet(defaultFleet(), { seed: 3 });
    gateway = await createGateway(configFor(fleet), { env: {}, tracing: createTracing({ exporter }) });
  });
  afterAll(async () => {
    await gateway?.close();
    await fleet?.close();
  });

  const spansOf = (requestId: string): { request: ReadableSpan; attempts: ReadableSpan[] } => {
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.attributes['freeway.request_id'] === requestId)!;
    const attempts = spans.filter((s) => s.parentSpanContext?.spanId === request.spanContext().spanId);
    return { request, attempts };
  };

  it('records one span per request and one per upstream attempt, with the GenAI attributes', async () => {
    const result = await gateway.chat({ model: 'llama-3.3-70b', max_tokens: 20, messages: [{ role: 'user', content: 'Trace me' }] }, context('trace-json'));
    const { request, attempts } = spansOf('trace-json');
    expect(request.name).toBe('chat llama-3.3-70b');
    expect(request.kind).toBe(1); // SERVER
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'llama-3.3-70b',
      'gen_ai.request.max_tokens': 20,
      'gen_ai.provider.name': result.meta.provider,
      'gen_ai.response.model': result.meta.upstreamModel,
      'freeway.attempts': 1,
    });
    expect(attempts).toHaveLength(1);
    const attempt = attempts[0]!;
    expect(attempt.kind).toBe(2); // CLIENT
    expect(attempt.spanContext().traceId).toBe(request.spanContext().traceId);
    const usage = (result as unknown as { body: { usage: { prompt_tokens: number; completion_tokens: number } } }).body.usage;
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': result.meta.provider,
      'gen_ai.system': result.meta.provider,
      'gen_ai.request.model': result.meta.upstreamModel,
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
    });
    expect(attempt.attributes['gen_ai.response.finish_reasons']).toEqual([expect.stringMatching(/stop|length/)]);
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain('sim-groq-key');
  });

  it('ends a streamed attempt when its stream ends, with the usage and finish reason it reported', async () => {
    const result = await gateway.chat(
      { model: 'llama-3.3-70b', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream me' }] },
      context('trace-stream'),
    );
    await drain(result);
    const { request, attempts } = spansOf('trace-stream');
    expect(request.attributes['freeway.stream']).toBe(true);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(attempts[0]!.attributes['gen_ai.response.finish_reasons']).toEqual([expect.stringMatching(/stop|length/)]);
  });

  it('marks a failed request with its error code', async () => {
    await expect(gateway.chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }, context('trace-fail'))).rejects.toThrow();
    const { request, attempts } = spansOf('trace-fail');
    expect(request.status.code).toBe(2); // ERROR
    expect(request.attributes['error.type']).toBe('model_not_found');
    expect(attempts).toHaveLength(0);
  });
});

describe('OTLP export', () => {
  it('is off by default and sends spans over OTLP/HTTP to the configured endpoint', async () => {
    const bodies: { url: string; body: string }[] = [];
    let received: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const collector = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push({ url: request.url ?? '', body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        received();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const fleet = await startFleet(defaultFleet(), { seed: 4 });
    try {
      expect(createTracing({}).enabled).toBe(false);
      const gateway = await createGateway(configFor(fleet, { telemetry: { otlp: { endpoint } } }), { env: {} });
      await gateway.chat({ model: 'llama-3.3-70b', messages: [{ role: 'user', content: 'Export me' }] }, context('trace-otlp'));
      await gateway.close(); // flushes the batch processor
      await arrived;
      expect(bodies[0]!.url).toBe('/v1/traces');
      expect(bodies[0]!.body).toContain('gen_ai.request.model');
      expect(bodies[0]!.body).toContain('trace-otlp');
    } finally {
      await fleet.close();
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
