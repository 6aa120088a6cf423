/**
 * POST /v1/chat/completions through the pipeline: validate, route, cache, dispatch, relay.
 * Streams are held until the first content chunk (dispatch's rule), then relayed chunk by chunk;
 * a stream that breaks after that ends with an error, never as a silently truncated answer.
 */
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import { chunksToCompletion, completionToChunks, computeCacheKey, decideCachePolicy } from '../cache/index.js';
import type { RouteDecision } from '../routing/index.js';
import type { UpstreamJson, UpstreamStream } from '../upstream/index.js';
import { bucketsFor } from './buckets.js';
import { dispatch, type Admitted } from './dispatch.js';
import type { GatewayServices } from './services.js';
import type { GatewayResult, JsonBody, RequestContext, ResponseMeta } from './types.js';
import { validateChatRequest, type ChatRequest } from './validate-request.js';

/** What the gateway reserves for output when a request sets no max_tokens and the model states no cap. */
const DEFAULT_OUTPUT_RESERVATION = 1024;

export async function handleChat(services: GatewayServices, body: unknown, context: RequestContext): Promise<GatewayResult> {
  const request = validateChatRequest(body);
  const decision = services.router.resolve(request);
  const policy = decideCachePolicy(request, { 'cache-control': context.cacheControl }, services.settings.cache);
  const cacheKey = policy.lookup || policy.store ? computeCacheKey(request, decision.requested, 'chat') : undefined;
  const responseModel = decision.kind === 'virtual' ? undefined : decision.requested;
  const wantsStream = request.stream === true;
  const wantsUsage = request.stream_options?.include_usage === true;

  if (cacheKey && policy.lookup) {
    const hit = await services.cache.get(cacheKey, 'chat');
    if (hit) {
      const cached = hit.value as JsonBody;
      const meta: ResponseMeta = { ...cachedMeta(cached), cache: 'hit', attempts: 0, route: decision.header };
      services.telemetry.cacheEvent(hit.tier, 'hit');
      if (!wantsStream) return { kind: 'json', meta, body: cached };
      return { kind: 'stream', meta, chunks: iterate(completionToChunks(cached, { includeUsage: wantsUsage })) };
    }
  }
  const cacheStatus = policy.lookup || policy.store ? 'miss' : 'bypass';
  const shape = (deployment: Deployment): JsonBody => shapeBody(request, deployment, decision);
  const dispatchRequest = {
    candidates: decision.candidates,
    tokensFor: (d: Deployment) => reservationTokens(services, decision, d),
    priority: context.priority,
    deadline: services.clock.now() + context.maxWaitMs,
    signal: context.signal,
  };

  if (!wantsStream) {
    const call = async () => {
      const { value, admitted, attempts } = await dispatch(services, dispatchRequest, (a, signal) =>
        services.upstream.chat(a.deployment, shape(a.deployment), { signal, ...services.timeoutsFor(a.deployment) }),
      );
      const answer = await finishJson(services, admitted, value, decision, responseModel);
      if (cacheKey && policy.store) await services.cache.set(cacheKey, 'chat', answer);
      return { answer, attempts, deployment: admitted.deployment };
    };
    const { answer, attempts, deployment } = cacheKey && policy.lookup ? await services.singleFlight.run(cacheKey, call) : await call();
    return { kind: 'json', meta: meta(deployment, attempts, cacheStatus, decision), body: answer };
  }

  const open = async () => {
    const { value, admitted, attempts } = await dispatch(services, dispatchRequest, (a, signal) =>
      services.upstream.chatStream(a.deployment, shape(a.deployment), { signal, ...services.timeoutsFor(a.deployment) }),
    );
    const store = cacheKey && policy.store ? (completion: JsonBody) => services.cache.set(cacheKey, 'chat', completion) : undefined;
    return { chunks: relay(services, admitted, value, decision, responseModel, store), attempts, deployment: admitted.deployment };
  };
  const opened = cacheKey && policy.lookup ? await services.streamFanout.join(cacheKey, open) : await open();
  const chunks = wantsUsage ? opened.chunks : withoutUsageChunk(opened.chunks);
  return { kind: 'stream', meta: meta(opened.deployment, opened.attempts, cacheStatus, decision), chunks };
}

function meta(deployment: Deployment, attempts: number, cache: ResponseMeta['cache'], decision: RouteDecision): ResponseMeta {
  return { provider: deployment.providerId, upstreamModel: deployment.model.upstreamId, attempts, cache, route: decision.header };
}

function cachedMeta(cached: JsonBody): Pick<ResponseMeta, 'provider' | 'upstreamModel'> {
  const origin = cached['x_freeway'] as { provider?: string; upstreamModel?: string } | undefined;
  return { provider: origin?.provider ?? 'cache', upstreamModel: origin?.upstreamModel ?? String(cached['model'] ?? '') };
}

function reservationTokens(services: GatewayServices, decision: RouteDecision, deployment: Deployment): number {
  const output = decision.maxTokensFor(deployment) ?? Math.min(deployment.model.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVATION, DEFAULT_OUTPUT_RESERVATION);
  return Math.ceil(decision.features.promptTokens * services.settings.tokenMargin) + output;
}

/** The body sent to one deployment: the client's, with max_tokens clamped to what that model can write. */
function shapeBody(request: ChatRequest, deployment: Deployment, decision: RouteDecision): JsonBody {
  const maxTokens = decision.maxTokensFor(deployment);
  const body: JsonBody = { ...request };
  if (maxTokens !== undefined) {
    if (request.max_completion_tokens != null) body['max_completion_tokens'] = maxTokens;
    else body['max_tokens'] = maxTokens;
  }
  return body;
}

async function finishJson(
  services: GatewayServices,
  admitted: Admitted,
  response: UpstreamJson,
  decision: RouteDecision,
  responseModel: string | undefined,
): Promise<JsonBody> {
  const { deployment } = admitted;
  await services.quota.ledger.observe(bucketsFor(deployment), response.signal);
  const usage = response.body['usage'] as { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined;
  await admitted.settle({ tokens: usage?.total_tokens ?? reservationTokens(services, decision, deployment), requestCharged: true });
  services.observeCall(deployment, {
    promptTokens: usage?.prompt_tokens ?? decision.features.promptTokens,
    outputTokens: usage?.completion_tokens ?? 0,
    ttftMs: response.firstByteMs,
    totalMs: response.totalMs,
  });
  return { ...response.body, model: responseModel ?? deployment.model.id };
}

/** Relays an upstream stream to the client, settling quota and feeding the cache once it ends. */
async function* relay(
  services: GatewayServices,
  admitted: Admitted,
  stream: UpstreamStream,
  decision: RouteDecision,
  responseModel: string | undefined,
  store: ((completion: JsonBody) => Promise<void>) | undefined,
): AsyncGenerator<JsonBody> {
  const { deployment } = admitted;
  const model = responseModel ?? deployment.model.id;
  const collected: JsonBody[] = [];
  let complete = false;
  let outputChunks = 0;
  try {
    await services.quota.ledger.observe(bucketsFor(deployment), stream.signal);
    for await (const chunk of stream) {
      const relayed = { ...chunk, model };
      if (store) collected.push(relayed);
      outputChunks += 1;
      yield relayed;
    }
    complete = true;
  } catch (error) {
    if (error instanceof UpstreamFailureError) {
      const failure = services.resilience.classify(error.failure, deployment);
      services.resilience.breakers.recordFailure(deployment.id, failure);
      throw new FreewayError('upstream_stream_error', `The upstream stream from ${deployment.providerId} broke off: ${failure.message}`);
    }
    throw error;
  } finally {
    if (!complete) stream.cancel();
    const usage = stream.usage();
    await admitted.settle({ tokens: usage?.total_tokens ?? reservationTokens(services, decision, deployment), requestCharged: true });
    services.observeCall(deployment, {
      promptTokens: usage?.prompt_tokens ?? decision.features.promptTokens,
      outputTokens: usage?.completion_tokens ?? outputChunks,
      ttftMs: stream.firstByteMs,
      totalMs: services.clock.now() - stream.startedAt,
    });
    if (complete && store) await store(chunksToCompletion(collected));
  }
}

async function* withoutUsageChunk(chunks: AsyncIterable<JsonBody>): AsyncGenerator<JsonBody> {
  for await (const chunk of chunks) {
    const choices = chunk['choices'];
    if (Array.isArray(choices) && choices.length === 0 && chunk['usage']) continue;
    yield chunk;
  }
}

async function* iterate(chunks: Iterable<JsonBody>): AsyncGenerator<JsonBody> {
  yield* chunks;
}
