/**
 * POST /v1/chat/completions through the pipeline: validate, route, cache, dispatch, relay.
 * Streams are held until the first content chunk (dispatch's rule), then relayed chunk by chunk;
 * a stream that breaks after that ends with an error, never as a silently truncated answer.
 */
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import { chunksToCompletion, completionToChunks, computeCacheKey, decideCachePolicy } from '../cache/index.js';
import { hitOrigin, originOf, type Fetch } from './cache-coordinator.js';
import type { RouteDecision } from '../routing/index.js';
import type { UpstreamJson, UpstreamStream } from '../upstream/index.js';
import { bucketsFor } from './buckets.js';
import { dispatch, type Admitted } from './dispatch.js';
import type { GatewayServices } from './services.js';
import { callShaped, ShapingNotes } from '../shaping/index.js';
import type { GatewayResult, JsonBody, RequestContext, ResponseMeta } from './types.js';
import { validateChatRequest, type ChatRequest } from './validate-request.js';

export async function handleChat(services: GatewayServices, body: unknown, context: RequestContext): Promise<GatewayResult> {
  const request = validateChatRequest(body);
  const decision = services.router.resolve(request);
  const policy = decideCachePolicy(request, { 'cache-control': context.cacheControl }, services.settings.cache);
  const cacheKey = policy.lookup || policy.store ? computeCacheKey(request, decision.requested, 'chat') : undefined;
  const responseModel = decision.kind === 'virtual' ? undefined : decision.requested;
  const wantsStream = request.stream === true;
  const wantsUsage = request.stream_options?.include_usage === true;

  const route = decision.header;
  const notes = new ShapingNotes();
  const dispatchRequest = {
    candidates: services.shaping.supporting(decision.candidates, request, decision.requested),
    tokensFor: (d: Deployment) => reservationTokens(services, decision, d),
    priority: context.priority,
    deadline: services.clock.now() + context.maxWaitMs,
    signal: context.signal,
  };
  const shape = (deployment: Deployment): JsonBody => shapeBody(request, deployment, decision);
  const fetchJson: Fetch = async (signal, priority) => {
    const { value, admitted, attempts } = await dispatch(services, { ...dispatchRequest, signal, priority }, (a, callSignal) =>
      callShaped(services.shaping, { deployment: a.deployment, body: shape(a.deployment), kind: decision.features.kind }, notes, (body) =>
        services.upstream.chat(a.deployment, body, { signal: callSignal, ...services.timeoutsFor(a.deployment) }),
      ),
    );
    return { answer: await finishJson(services, admitted, value, decision, responseModel), attempts, deployment: admitted.deployment };
  };

  const hit = await services.caching.lookup(cacheKey, 'chat', policy);
  if (cacheKey && hit) {
    // XFetch: serve this one, and let one background call renew it before it expires.
    if (hit.refreshEarly) services.caching.refresh(cacheKey, 'chat', fetchJson);
    const origin = hitOrigin(hit);
    const meta: ResponseMeta = { provider: origin.provider, upstreamModel: origin.upstreamModel, cache: 'hit', attempts: 0, route };
    if (!wantsStream) return { kind: 'json', meta, body: hit.value };
    return { kind: 'stream', meta, chunks: once(completionToChunks(hit.value, { includeUsage: wantsUsage })) };
  }

  if (!wantsStream) {
    const answer =
      cacheKey && policy.store
        ? await services.caching.fetch(cacheKey, 'chat', fetchJson, { signal: context.signal, priority: context.priority, coalesce: policy.lookup })
        : await fetchJson(context.signal, context.priority).then(({ answer, attempts, deployment }) => ({ body: answer, attempts, origin: originOf(deployment) }));
    const { provider, upstreamModel } = answer.origin;
    return { kind: 'json', meta: { provider, upstreamModel, attempts: answer.attempts, cache: policy.status, route, ...shapedMeta(notes) }, body: answer.body };
  }

  // Dropping the usage chunk inside relay saves a generator layer; a shared stream keeps it, as its
  // readers may differ in include_usage (stream_options is not part of the cache key).
  const open = async (signal: AbortSignal, dropUsage: boolean) => {
    const started = services.clock.now();
    const { value, admitted, attempts } = await dispatch(services, { ...dispatchRequest, signal }, (a, callSignal) =>
      callShaped(services.shaping, { deployment: a.deployment, body: shape(a.deployment), kind: decision.features.kind }, notes, (body) =>
        services.upstream.chatStream(a.deployment, body, { signal: callSignal, ...services.timeoutsFor(a.deployment) }),
      ),
    );
    const store =
      cacheKey && policy.store
        ? (completion: JsonBody) => services.caching.store(cacheKey, 'chat', completion, admitted.deployment, services.clock.now() - started)
        : undefined;
    return { chunks: relay(services, admitted, value, decision, responseModel, store, dropUsage), attempts, deployment: admitted.deployment };
  };
  // The fan-out's signal aborts once every client reading the stream has gone, not when its first one does.
  const shared = cacheKey !== undefined && policy.lookup;
  const opened = shared
    ? await services.streamFanout.join(cacheKey, (signal) => open(signal, false))
    : { ...(await open(context.signal, !wantsUsage)), isLeader: true };
  if (!opened.isLeader) services.caching.joinedStream();
  const chunks = wantsUsage || !shared ? opened.chunks : withoutUsageChunk(opened.chunks);
  const meta: ResponseMeta = {
    provider: opened.deployment.providerId,
    upstreamModel: opened.deployment.model.upstreamId,
    attempts: opened.isLeader ? opened.attempts : 0,
    cache: policy.status,
    route,
    ...shapedMeta(notes),
  };
  return { kind: 'stream', meta, chunks };
}

function reservationTokens(services: GatewayServices, decision: RouteDecision, deployment: Deployment): number {
  const output = decision.maxTokensFor(deployment) ?? services.shaping.outputBudget(deployment, decision.features.kind);
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
    taskKind: decision.features.kind,
  });
  // The body was parsed for this call alone: set the model in place rather than copy it.
  const body = response.body;
  body['model'] = responseModel ?? deployment.model.id;
  return body;
}

/** Relays an upstream stream to the client, settling quota and feeding the cache once it ends. */
async function* relay(
  services: GatewayServices,
  admitted: Admitted,
  stream: UpstreamStream,
  decision: RouteDecision,
  responseModel: string | undefined,
  store: ((completion: JsonBody) => Promise<void>) | undefined,
  dropUsage: boolean,
): AsyncGenerator<JsonBody[]> {
  const { deployment } = admitted;
  const model = responseModel ?? deployment.model.id;
  const collected: JsonBody[] = [];
  let complete = false;
  let outputChunks = 0;
  try {
    await services.quota.ledger.observe(bucketsFor(deployment), stream.signal);
    for await (const batch of stream.batches()) {
      // Each chunk is freshly parsed and ours alone: set the model in place rather than copy it.
      for (const chunk of batch as JsonBody[]) chunk['model'] = model;
      if (store) collected.push(...batch);
      outputChunks += batch.length;
      const relayed = dropUsage ? batch.filter((chunk) => !isUsageOnly(chunk)) : batch;
      if (relayed.length > 0) yield relayed;
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
      taskKind: decision.features.kind,
    });
    if (complete && store) await store(chunksToCompletion(collected));
  }
}

function isUsageOnly(chunk: JsonBody): boolean {
  const choices = chunk['choices'];
  return Array.isArray(choices) && choices.length === 0 && Boolean(chunk['usage']);
}

async function* withoutUsageChunk(batches: AsyncIterable<JsonBody[]>): AsyncGenerator<JsonBody[]> {
  for await (const batch of batches) {
    const kept = batch.filter((chunk) => !isUsageOnly(chunk));
    if (kept.length > 0) yield kept;
  }
}

async function* once(chunks: JsonBody[]): AsyncGenerator<JsonBody[]> {
  yield chunks;
}

const shapedMeta = (notes: ShapingNotes): { shaped?: string } => {
  const shaped = notes.header();
  return shaped === undefined ? {} : { shaped };
};
