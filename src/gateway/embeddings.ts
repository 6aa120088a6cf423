/**
 * POST /v1/embeddings: the same routing, quota and failover as chat, over embedding models only.
 */
import { FreewayError } from '../core/errors.js';
import { computeCacheKey, decideCachePolicy } from '../cache/index.js';
import { bucketsFor } from './buckets.js';
import { dispatch } from './dispatch.js';
import type { GatewayServices } from './services.js';
import type { GatewayResult, JsonBody, RequestContext } from './types.js';
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
  if (policy.lookup) {
    const hit = await services.cache.get(cacheKey, 'embedding');
    if (hit) {
      services.telemetry.cacheEvent(hit.tier, 'hit');
      return { kind: 'json', meta: { provider: 'cache', upstreamModel: typeof hit.value['model'] === 'string' ? hit.value['model'] : '', attempts: 0, cache: 'hit', route }, body: hit.value };
    }
  }
  const inputTokens = Math.ceil(decision.features.promptTokens * services.settings.tokenMargin);
  const { value, admitted, attempts } = await dispatch(
    services,
    { candidates: decision.candidates, tokensFor: () => inputTokens, priority: context.priority, deadline: services.clock.now() + context.maxWaitMs, signal: context.signal },
    (a, signal) => services.upstream.embeddings(a.deployment, { ...request }, { signal, ...services.timeoutsFor(a.deployment) }),
  );
  const { deployment } = admitted;
  await services.quota.ledger.observe(bucketsFor(deployment), value.signal);
  const usage = value.body['usage'] as { total_tokens?: number } | undefined;
  await admitted.settle({ tokens: usage?.total_tokens ?? inputTokens, requestCharged: true });
  const answer: JsonBody = { ...value.body, model: decision.kind === 'virtual' ? deployment.model.id : decision.requested };
  if (policy.store) await services.cache.set(cacheKey, 'embedding', answer);
  return {
    kind: 'json',
    meta: { provider: deployment.providerId, upstreamModel: deployment.model.upstreamId, attempts, cache: policy.lookup ? 'miss' : 'bypass', route },
    body: answer,
  };
}
