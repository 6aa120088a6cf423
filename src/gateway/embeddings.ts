/**
 * POST /v1/embeddings: the same routing, quota and failover as chat, over embedding models only.
 */
import { FreewayError } from '../core/errors.js';
import { withTokenMargin } from '../core/token-margin.js';
import { computeCacheKey, decideCachePolicy } from '../cache/index.js';
import { hitAnswer, type Fetch } from './cache-coordinator.js';
import type { EndpointDeps } from './endpoint-deps.js';
import { fetchJsonAnswer, jsonResult } from './json-answer.js';
import type { GatewayResult, RequestContext } from './types.js';
import { validateEmbeddingsRequest } from './validate-request.js';

export async function handleEmbeddings(deps: EndpointDeps, body: unknown, context: RequestContext): Promise<GatewayResult> {
  const request = validateEmbeddingsRequest(body);
  const decision = deps.router.resolveEmbedding(request);
  if (decision.candidates.length === 0) {
    throw new FreewayError('model_not_found', `'${request.model}' is not an embedding model on any configured provider`, { param: 'model' });
  }
  // Embeddings are deterministic: cache them unless the client says no.
  const policy = decideCachePolicy({ temperature: 0 }, { 'cache-control': context.cacheControl }, deps.cacheConfig);
  const cacheKey = computeCacheKey(request, decision.requested, 'embedding');
  const route = decision.header;
  const promptTokens = decision.features.promptTokens;
  const inputTokens = withTokenMargin(promptTokens, deps.tokenMargin);
  const fetchEmbeddings: Fetch = (signal, priority) =>
    fetchJsonAnswer(deps.dispatch, {
      request: { candidates: decision.candidates, tokensFor: () => inputTokens, promptTokens, priority, deadline: deps.clock.now() + context.maxWaitMs, signal },
      call: (lease, callSignal) => deps.upstream.embeddings(lease.deployment, { ...request }, { signal: callSignal, ...deps.timeoutsFor(lease.deployment) }),
      responseModel: decision.kind === 'virtual' ? undefined : decision.requested,
    });

  const hit = await deps.caching.lookup(cacheKey, 'embedding', policy);
  if (hit) {
    if (hit.refreshEarly) deps.caching.refresh(cacheKey, 'embedding', fetchEmbeddings);
    return jsonResult(hitAnswer(hit), 'hit', route);
  }
  const answer = policy.store
    ? await deps.caching.fetch(cacheKey, 'embedding', fetchEmbeddings, { signal: context.signal, priority: context.priority, coalesce: policy.lookup })
    : await fetchEmbeddings(context.signal, context.priority);
  return jsonResult(answer, policy.status, route);
}
