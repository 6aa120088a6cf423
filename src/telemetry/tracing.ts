/**
 * OpenTelemetry traces, off unless an OTLP endpoint is configured (`telemetry.otlp.endpoint`, or
 * OTEL_EXPORTER_OTLP_ENDPOINT) or an exporter is injected (tests). One SERVER span per client
 * request and one CLIENT span per upstream attempt under it, with the GenAI semantic conventions
 * (gen_ai.operation.name, gen_ai.provider.name, gen_ai.request.model, gen_ai.response.model,
 * gen_ai.usage.*, gen_ai.response.finish_reasons). Spans never carry a key or message content.
 * When off, every hook is a pass-through and the upstream client is returned unwrapped.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context as otelContext, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Deployment } from '../core/deployment.js';
import { isFreewayError } from '../core/errors.js';
import { parsedChunk, UnparsedChunk, type StreamChunk } from '../core/unparsed-chunk.js';
import type { ChatCompletionChunk, UpstreamClient, UpstreamJson, UpstreamStream } from '../upstream/index.js';

export type GenAiOperation = 'chat' | 'embeddings';

/** What the request span learns from the answer (the gateway's ResponseMeta). */
export interface RequestOutcome {
  provider: string;
  upstreamModel: string;
  attempts: number;
  cache: string;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `run` inside a request span; `outcome` reads the result's facts for the span. */
  traceRequest<T>(operation: GenAiOperation, body: unknown, requestId: string, run: () => Promise<T>, outcome: (result: T) => RequestOutcome): Promise<T>;
  /** The client, with a span around every call (an attempt) when tracing is on; the same client when off. */
  traceUpstream(client: UpstreamClient): UpstreamClient;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP base URL (…:4318); spans go to `${endpoint}/v1/traces`. */
  endpoint?: string;
  headers?: Record<string, string>;
  /** Replaces the OTLP exporter (tests: InMemorySpanExporter); spans are then exported one by one. */
  exporter?: SpanExporter;
  serviceName?: string;
}

const disabled: Tracing = {
  enabled: false,
  traceRequest: (_operation, _body, _requestId, run) => run(),
  traceUpstream: (client) => client,
  shutdown: async () => {},
};

export function createTracing(options: TracingOptions): Tracing {
  if (!options.endpoint && !options.exporter) return disabled;
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces`, headers: options.headers ?? {} });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'freeway', [ATTR_SERVICE_VERSION]: '0.1.0' }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  // A provider of our own, never registered globally: several gateways may share a process.
  const tracer = provider.getTracer('freeway');
  const current = new AsyncLocalStorage<Span>();

  return {
    enabled: true,
    async traceRequest(operation, body, requestId, run, outcome) {
      const model = requestedModel(body);
      const span = tracer.startSpan(`${operation} ${model}`, {
        kind: SpanKind.SERVER,
        attributes: { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model, 'freeway.request_id': requestId, ...requestParameters(body) },
      });
      try {
        const result = await current.run(span, run);
        const facts = outcome(result);
        span.setAttributes({
          'gen_ai.provider.name': facts.provider,
          'gen_ai.response.model': facts.upstreamModel,
          'freeway.attempts': facts.attempts,
          'freeway.cache': facts.cache,
        });
        return result;
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    traceUpstream(client) {
      return traceClient(client, tracer, () => current.getStore());
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The endpoint from config, else the standard OpenTelemetry variables; undefined keeps tracing off. */
export function otlpEndpointFrom(configured: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return configured ?? (env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.replace(/\/v1\/traces\/?$/, '') || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined);
}

function traceClient(client: UpstreamClient, tracer: Tracer, parent: () => Span | undefined): UpstreamClient {
  const start = (operation: GenAiOperation, deployment: Deployment, body: Record<string, unknown>): Span => {
    const parentSpan = parent();
    const context = parentSpan ? trace.setSpan(otelContext.active(), parentSpan) : otelContext.active();
    return tracer.startSpan(
      `${operation} ${deployment.model.upstreamId}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': operation,
          'gen_ai.provider.name': deployment.providerId,
          'gen_ai.system': deployment.providerId,
          'gen_ai.request.model': deployment.model.upstreamId,
          'freeway.deployment': deployment.id,
          'freeway.key_label': deployment.keyLabel,
          ...requestParameters(body),
        },
      },
      context,
    );
  };
  const json = async (operation: GenAiOperation, span: Span, call: Promise<UpstreamJson>): Promise<UpstreamJson> => {
    try {
      const answer = await call;
      span.setAttributes(jsonAnswerAttributes(answer.body));
      return answer;
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return {
    chat: (deployment, body, options) => json('chat', start('chat', deployment, body), client.chat(deployment, body, options)),
    embeddings: (deployment, body, options) => json('embeddings', start('embeddings', deployment, body), client.embeddings(deployment, body, options)),
    async chatStream(deployment, body, options) {
      const span = start('chat', deployment, body);
      let stream: UpstreamStream;
      try {
        stream = await client.chatStream(deployment, body, options);
      } catch (error) {
        markFailed(span, error);
        span.end();
        throw error;
      }
      return traceStream(stream, span);
    },
    getJson: (url, options) => client.getJson(url, options),
    listModels: (baseUrl, apiKey, options) => client.listModels(baseUrl, apiKey, options),
    close: () => client.close(),
  };
}

/** The same stream, ending its span when the stream ends with what it said (model, finish reasons, usage). */
function traceStream(stream: UpstreamStream, span: Span): UpstreamStream {
  const finishReasons = new Set<string>();
  let model: string | undefined;
  let ended = false;
  const note = (streamed: StreamChunk) => {
    // An unparsed chunk has no finish reason, and the model of the parsed chunks around it.
    if (streamed instanceof UnparsedChunk) return;
    const chunk = streamed as Partial<ChatCompletionChunk>;
    if (typeof chunk.model === 'string') model = chunk.model;
    for (const choice of chunk.choices ?? []) if (choice.finish_reason) finishReasons.add(choice.finish_reason);
  };
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    const usage = stream.usage();
    span.setAttributes({
      ...(model ? { 'gen_ai.response.model': model } : {}),
      ...(finishReasons.size ? { 'gen_ai.response.finish_reasons': [...finishReasons] } : {}),
      ...(usage ? { 'gen_ai.usage.input_tokens': usage.prompt_tokens, 'gen_ai.usage.output_tokens': usage.completion_tokens } : {}),
    });
    if (error !== undefined) markFailed(span, error);
    span.end();
  };
  async function* batches(): AsyncGenerator<StreamChunk[]> {
    try {
      for await (const batch of stream.batches()) {
        for (const chunk of batch) note(chunk);
        yield batch;
      }
      end();
    } catch (error) {
      end(error);
      throw error;
    } finally {
      end();
    }
  }
  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    for await (const batch of batches()) for (const chunk of batch) yield parsedChunk(chunk) as ChatCompletionChunk;
  }
  const traced = Object.create(stream) as UpstreamStream;
  return Object.assign(traced, {
    batches,
    [Symbol.asyncIterator]: chunks,
    usage: () => stream.usage(),
    cancel: () => {
      stream.cancel();
      end();
    },
  });
}

function jsonAnswerAttributes(body: Record<string, unknown>): Attributes {
  const usage = body['usage'] as { prompt_tokens?: number; completion_tokens?: number } | undefined;
  const choices = Array.isArray(body['choices']) ? (body['choices'] as { finish_reason?: unknown }[]) : [];
  const reasons = choices.map((c) => c.finish_reason).filter((r): r is string => typeof r === 'string');
  return {
    ...(typeof body['model'] === 'string' ? { 'gen_ai.response.model': body['model'] } : {}),
    ...(typeof body['id'] === 'string' ? { 'gen_ai.response.id': body['id'] } : {}),
    ...(reasons.length ? { 'gen_ai.response.finish_reasons': reasons } : {}),
    ...(typeof usage?.prompt_tokens === 'number' ? { 'gen_ai.usage.input_tokens': usage.prompt_tokens } : {}),
    ...(typeof usage?.completion_tokens === 'number' ? { 'gen_ai.usage.output_tokens': usage.completion_tokens } : {}),
  };
}

function requestParameters(body: unknown): Attributes {
  const b = (body ?? {}) as Record<string, unknown>;
  const maxTokens = b['max_completion_tokens'] ?? b['max_tokens'];
  return {
    ...(typeof maxTokens === 'number' ? { 'gen_ai.request.max_tokens': maxTokens } : {}),
    ...(typeof b['temperature'] === 'number' ? { 'gen_ai.request.temperature': b['temperature'] } : {}),
    ...(typeof b['top_p'] === 'number' ? { 'gen_ai.request.top_p': b['top_p'] } : {}),
    ...(b['stream'] === true ? { 'freeway.stream': true } : {}),
  };
}

function requestedModel(body: unknown): string {
  const model = (body as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model.slice(0, 200) : 'unknown';
}

function markFailed(span: Span, error: unknown): void {
  const code = isFreewayError(error) ? error.code : error instanceof Error ? error.name : 'error';
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}
