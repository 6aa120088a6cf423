/**
 * POST /v1/embeddings: the same routing, quota and failover as chat, over embedding models only.
 */
import { FreewayError } from '../core/errors.js';
import { computeCacheKey, decideCachePolicy } from '../cache/index.js';
import { bucketsFor } from './buckets.js';
import { hitOrigin, originOf, type Fetch } from './cache-coordinator.js';
import { dispatch } from './dispatch.js';
import type { GatewayServices } from './services.js';
import type { GatewayResult, RequestContext } from './types.js';
import { validateEmbeddingsRequest } from './validate-request.js';

export async function handleEmbeddings(services: GatewayServices, body: unknown, context: RequestContext): Promise<GatewayResult> {
  const request = validateEmbeddingsRequest(body);
  const decision = services.router.resolveEmbedding(request);
  if (decision.candidates.length === 0) {
    throw new FreewayError('model_not_found', `'${request.model}' is not an embedding model on any configured provider`, { param: 'model' });
  }
  // Embeddings are deterministic: cache them unless the client says no.
  const policy = decideCachePolicy({ temperature: 0 }, { 'cache-control': context.cacheControl }, services.settings.cache);
  const cacheKey = computeCacheKey(request, decision.requested, 'embedding');
  const route = decision.header;
  const inputTokens = Math.ceil(decision.features.promptTokens * services.settings.tokenMargin);
  const fetchEmbeddings: Fetch = async (signal, priority) => {
    const { value, admitted, attempts } = await dispatch(
      services,
      { candidates: decision.candidates, tokensFor: () => inputTokens, priority, deadline: services.clock.now() + context.maxWaitMs, signal },
      (a, callSignal) => services.upstream.embeddings(a.deployment, { ...request }, { signal: callSignal, ...services.timeoutsFor(a.deployment) }),
    );
    const { deployment } = admitted;
    await services.quota.ledger.observe(bucketsFor(deployment), value.signal);
    const usage = value.body['usage'] as { total_tokens?: number } | undefined;
    await admitted.settle({ tokens: usage?.total_tokens ?? inputTokens, requestCharged: true });
    return { answer: { ...value.body, model: decision.kind === 'virtual' ? deployment.model.id : decision.requested }, attempts, deployment };
  };

  const hit = await services.caching.lookup(cacheKey, 'embedding', policy);
  if (hit) {
    if (hit.refreshEarly) services.caching.refresh(cacheKey, 'embedding', fetchEmbeddings);
    const { provider, upstreamModel } = hitOrigin(hit);
    return { kind: 'json', meta: { provider, upstreamModel, attempts: 0, cache: 'hit', route }, body: hit.value };
  }
  const answer = policy.store
    ? await services.caching.fetch(cacheKey, 'embedding', fetchEmbeddings, { signal: context.signal, priority: context.priority, coalesce: policy.lookup })
    : await fetchEmbeddings(context.signal, context.priority).then(({ answer, attempts, deployment }) => ({ body: answer, attempts, origin: originOf(deployment) }));
  const { provider, upstreamModel } = answer.origin;
  return { kind: 'json', meta: { provider, upstreamModel, attempts: answer.attempts, cache: policy.status, route }, body: answer.body };
}
