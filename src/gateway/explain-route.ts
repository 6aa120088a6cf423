/**
 * The dry run: the whole routing decision for a chat body, as POST /v1/freeway/route and a chat
 * request with `x-freeway-dry-run: true` return it. It validates and routes exactly as a real
 * request would (the same errors for the same bodies) but never reserves quota, reads the cache
 * or calls a provider.
 */
import type { Router } from '../routing/index.js';
import type { JsonBody } from './types.js';
import { validateChatRequest } from './validate-request.js';

export function explainRoute(router: Router, body: unknown): JsonBody {
  const decision = router.resolve(validateChatRequest(body));
  const { deployments, ...summary } = decision.explain();
  return {
    object: 'freeway.route',
    route: decision.header, // the value a real answer carries in x-freeway-route
    ...summary,
    // What would be tried, in order, and with which max_tokens once clamped to each model's cap.
    candidates: decision.candidates.map((d) => ({
      id: d.id,
      provider: d.providerId,
      model: d.model.id,
      upstreamModel: d.model.upstreamId,
      maxTokens: decision.maxTokensFor(d) ?? null,
    })),
    deployments,
  };
}
