/**
 * Where a request goes after a deployment failed it: the same model on another provider first
 * (the answer the client expects, from a different machine room), then the other candidates in
 * the router's order; after "context length exceeded", only models with a larger window. It only
 * reorders and filters the router's list; it never adds a deployment the router did not offer.
 */
import type { Deployment } from '../core/deployment.js';

/** The candidates with `failed`'s model on other providers moved to the front, order kept otherwise. */
export function preferSameModel(candidates: readonly Deployment[], failed: Deployment): Deployment[] {
  const same = candidates.filter((d) => d.model.id === failed.model.id && d.providerId !== failed.providerId);
  return [...same, ...candidates.filter((d) => !same.includes(d))];
}

/**
 * The candidates whose window is no larger than the one that just overflowed. A window nobody
 * stated is unknown: only the same model is ruled out then, since it is the same window elsewhere.
 */
export function tooSmallAfterOverflow(candidates: readonly Deployment[], failed: Deployment): Deployment[] {
  const overflowed = failed.model.contextWindow;
  return candidates.filter((d) =>
    overflowed === undefined || d.model.contextWindow === undefined
      ? d.model.id === failed.model.id
      : d.model.contextWindow <= overflowed,
  );
}
