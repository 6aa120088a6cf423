/**
 * JSON answers, fresh or cached, in one shape (`Answer`: body, origin, attempts) from the upstream
 * call to the result the server sends. Chat and embeddings both fetch through here, so the lease of a
 * JSON call is ended in one place. It never looks in the cache or picks a deployment.
 */
import type { UpstreamJson } from '../upstream/index.js';
import { originOf, type Answer } from './cache-coordinator.js';
import type { CallLease } from './call-lease.js';
import type { Dispatch, DispatchRequest, UpstreamCall } from './dispatch.js';
import type { GatewayResult, ResponseMeta } from './types.js';

export interface JsonFetch {
  request: DispatchRequest;
  call: UpstreamCall<UpstreamJson>;
  /** The model the client asked for, echoed in the body; undefined for virtual models (then the deployment's model). */
  responseModel: string | undefined;
}

/** Dispatches one JSON call and ends its lease on the answer. */
export async function fetchJsonAnswer(dispatch: Dispatch, fetch: JsonFetch): Promise<Answer> {
  const { value, lease, attempts } = await dispatch(fetch.request, fetch.call);
  return { body: await finishJson(lease, value, fetch.responseModel ?? lease.deployment.model.id), attempts, origin: originOf(lease.deployment) };
}

/** Settles the call on its usage and names the model the client asked for. */
async function finishJson(lease: CallLease, response: UpstreamJson, model: string) {
  await lease.succeed({ usage: response.body['usage'], ttftMs: response.firstByteMs, totalMs: response.totalMs });
  // The body was parsed for this call alone: set the model in place rather than copy it.
  response.body['model'] = model;
  return response.body;
}

/** The gateway's result for a JSON answer. */
export function jsonResult(answer: Answer, cache: ResponseMeta['cache'], route: string, shaped?: { shaped?: string }): GatewayResult {
  const { provider, upstreamModel } = answer.origin;
  return { kind: 'json', meta: { provider, upstreamModel, attempts: answer.attempts, cache, route, ...shaped }, body: answer.body };
}
