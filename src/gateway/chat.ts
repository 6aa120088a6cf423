/**
 * POST /v1/chat/completions through the pipeline: validate, route, cache, dispatch, relay.
 * Streams are held until the first content chunk (dispatch's rule), then relayed chunk by chunk;
 * a stream that breaks after that ends with an error, never as a silently truncated answer.
 */
import type { Clock } from '../core/clock.js';
import type { Deployment } from '../core/deployment.js';
import { FreewayError } from '../core/errors.js';
import { withTokenMargin } from '../core/token-margin.js';
import { setChunkModel, UnparsedChunk, type StreamChunk } from '../core/unparsed-chunk.js';
import { UpstreamFailureError } from '../core/upstream-failure.js';
import { chunksToCompletion, completionToChunks, computeCacheKey, decideCachePolicy } from '../cache/index.js';
import type { RouteDecision } from '../routing/index.js';
import type { UpstreamStream } from '../upstream/index.js';
import { hitAnswer, originOf, type Fetch } from './cache-coordinator.js';
import type { CallLease } from './call-lease.js';
import type { DispatchRequest } from './dispatch.js';
import type { ChatDeps } from './endpoint-deps.js';
import { fetchJsonAnswer, jsonResult } from './json-answer.js';
import { callShaped, chargesAtAdmission, ShapingNotes } from '../shaping/index.js';
import type { GatewayResult, JsonBody, RequestContext, ResponseMeta } from './types.js';
import { validateChatRequest, type ChatRequest } from './validate-request.js';

export async function handleChat(deps: ChatDeps, body: unknown, context: RequestContext): Promise<GatewayResult> {
  const request = validateChatRequest(body);
  const decision = deps.router.resolve(request);
  const policy = decideCachePolicy(request, { 'cache-control': context.cacheControl }, deps.cacheConfig);
  const cacheKey = policy.lookup || policy.store ? computeCacheKey(request, decision.requested, 'chat') : undefined;
  const responseModel = decision.kind === 'virtual' ? undefined : decision.requested;
  const wantsStream = request.stream === true;
  const wantsUsage = request.stream_options?.include_usage === true;

  const route = decision.header;
  const notes = new ShapingNotes();
  const deadline = deps.clock.now() + context.maxWaitMs;
  // Built per call rather than copied with a spread: a spread of this object costs on every request.
  const dispatchRequest = (signal: AbortSignal, priority: RequestContext['priority']): DispatchRequest => ({
    candidates: deps.shaping.supporting(decision.candidates, request, decision.requested),
    tokensFor: (d: Deployment) => reservationTokens(deps, decision, d),
    // Where the provider counts the answer once written, so does the ledger (see ReserveRequest.deferredTokens).
    deferredTokensFor: (d: Deployment) => (chargesAtAdmission(d) ? 0 : outputTokens(deps, decision, d)),
    promptTokens: decision.features.promptTokens,
    taskKind: decision.features.kind,
    priority,
    deadline,
    signal,
  });
  // The one place a chat call goes to a deployment: the body shaped for it, under its deadlines.
  const shape = (deployment: Deployment): JsonBody => shapeBody(request, deployment, decision);
  const fetchJson: Fetch = (signal, priority) =>
    fetchJsonAnswer(deps.dispatch, {
      request: dispatchRequest(signal, priority),
      call: (lease, callSignal) =>
        callShaped(deps.shaping, { deployment: lease.deployment, body: shape(lease.deployment), kind: decision.features.kind }, notes, (shaped) =>
          deps.upstream.chat(lease.deployment, shaped, { signal: callSignal, ...deps.timeoutsFor(lease.deployment) }),
        ),
      responseModel,
    });

  const hit = await deps.caching.lookup(cacheKey, 'chat', policy);
  if (cacheKey && hit) {
    // XFetch: serve this one, and let one background call renew it before it expires.
    if (hit.refreshEarly) deps.caching.refresh(cacheKey, 'chat', fetchJson);
    const answer = hitAnswer(hit);
    if (!wantsStream) return jsonResult(answer, 'hit', route);
    const meta: ResponseMeta = { provider: answer.origin.provider, upstreamModel: answer.origin.upstreamModel, cache: 'hit', attempts: 0, route };
    return { kind: 'stream', meta, chunks: once(completionToChunks(hit.value, { includeUsage: wantsUsage })) };
  }

  if (!wantsStream) {
    const answer =
      cacheKey && policy.store
        ? await deps.caching.fetch(cacheKey, 'chat', fetchJson, { signal: context.signal, priority: context.priority, coalesce: policy.lookup })
        : await fetchJson(context.signal, context.priority);
    return jsonResult(answer, policy.status, route, shapedMeta(notes));
  }

  // Dropping the usage chunk inside relay saves a generator layer; a shared stream keeps it, as its
  // readers may differ in include_usage (stream_options is not part of the cache key).
  const open = async (signal: AbortSignal, dropUsage: boolean) => {
    const started = deps.clock.now();
    const { value, lease, attempts } = await deps.dispatch(dispatchRequest(signal, context.priority), (l, callSignal) =>
      callShaped(deps.shaping, { deployment: l.deployment, body: shape(l.deployment), kind: decision.features.kind }, notes, (shaped) =>
        deps.upstream.chatStream(l.deployment, shaped, { signal: callSignal, ...deps.timeoutsFor(l.deployment) }),
      ),
    );
    const origin = originOf(lease.deployment);
    const store =
      cacheKey && policy.store
        ? (completion: JsonBody) => deps.caching.store(cacheKey, 'chat', completion, origin, deps.clock.now() - started)
        : undefined;
    const model = responseModel ?? lease.deployment.model.id;
    return { chunks: relay({ lease, stream: value, model, clock: deps.clock, store, dropUsage }), attempts, deployment: lease.deployment };
  };
  // The fan-out's signal aborts once every client reading the stream has gone, not when its first one does.
  const shared = cacheKey !== undefined && policy.lookup;
  const opened = shared ? await deps.streamFanout.join(cacheKey, (signal) => open(signal, false)) : leading(await open(context.signal, !wantsUsage));
  if (!opened.isLeader) deps.caching.joinedStream();
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

/** Tokens reserved on `deployment`: the prompt estimate × margin, plus the output it may write there. */
function reservationTokens(deps: Pick<ChatDeps, 'tokenMargin' | 'shaping'>, decision: RouteDecision, deployment: Deployment): number {
  return withTokenMargin(decision.features.promptTokens, deps.tokenMargin) + outputTokens(deps, decision, deployment);
}

/** The output planned on `deployment`: the client's max_tokens (clamped to the model), else the output budget. */
function outputTokens(deps: Pick<ChatDeps, 'shaping'>, decision: RouteDecision, deployment: Deployment): number {
  return decision.maxTokensFor(deployment) ?? deps.shaping.outputBudget(deployment, decision.features.kind);
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

interface RelayOptions {
  lease: CallLease;
  stream: UpstreamStream;
  /** The model named in every chunk. */
  model: string;
  clock: Clock;
  /** Stores the completed answer in the cache; undefined when the policy does not store. */
  store: ((completion: JsonBody) => Promise<void>) | undefined;
  /** Drop the usage chunk the client did not ask for. */
  dropUsage: boolean;
}

/**
 * Relays an upstream stream to the client and ends its lease: `succeed` once it ends, `fail` when it
 * breaks off, `abandon` when the reader leaves early. Feeds the cache once complete.
 */
async function* relay(options: RelayOptions): AsyncGenerator<StreamChunk[]> {
  const { lease, stream, model, store, dropUsage } = options;
  const collected: StreamChunk[] = [];
  let outputChunks = 0;
  let ended = false;
  try {
    try {
      for await (const batch of stream.batches()) {
        // Each chunk is fresh from the socket and ours alone: set the model in place rather than copy it.
        for (const chunk of batch) setChunkModel(chunk, model);
        if (store) collected.push(...batch);
        outputChunks += batch.length;
        const relayed = dropUsage ? batch.filter((chunk) => !isUsageOnly(chunk)) : batch;
        if (relayed.length > 0) yield relayed;
      }
    } catch (error) {
      ended = true;
      stream.cancel();
      throw await brokenStream(lease, error);
    }
    ended = true;
    await lease.succeed({ usage: stream.usage(), ttftMs: stream.firstByteMs, totalMs: options.clock.now() - stream.startedAt, outputTokensEstimate: outputChunks });
    if (store) await store(chunksToCompletion(collected));
  } finally {
    // The reader left before the end: the provider did the work, nobody reads it.
    if (!ended) {
      stream.cancel();
      await lease.abandon();
    }
  }
}

/** Ends the lease of a stream that broke off and says what the client sees. */
async function brokenStream(lease: CallLease, error: unknown): Promise<unknown> {
  if (!(error instanceof UpstreamFailureError)) {
    await lease.abandon();
    return error;
  }
  const failure = await lease.fail(error);
  return new FreewayError('upstream_stream_error', `The upstream stream from ${lease.deployment.providerId} broke off: ${failure.message}`);
}

function isUsageOnly(chunk: StreamChunk): boolean {
  if (chunk instanceof UnparsedChunk) return false;
  const choices = chunk['choices'];
  return Array.isArray(choices) && choices.length === 0 && Boolean(chunk['usage']);
}

async function* withoutUsageChunk(batches: AsyncIterable<StreamChunk[]>): AsyncGenerator<StreamChunk[]> {
  for await (const batch of batches) {
    const kept = batch.filter((chunk) => !isUsageOnly(chunk));
    if (kept.length > 0) yield kept;
  }
}

/** A stream this request opened itself. Set in place, not spread: a spread here costs on every streamed request. */
function leading<T extends object>(opened: T): T & { isLeader: true } {
  return Object.assign(opened, { isLeader: true as const });
}

async function* once(chunks: JsonBody[]): AsyncGenerator<JsonBody[]> {
  yield chunks;
}

const shapedMeta = (notes: ShapingNotes): { shaped?: string } => {
  const shaped = notes.header();
  return shaped === undefined ? {} : { shaped };
};
