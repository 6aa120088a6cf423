/**
 * The dry-run flag: `x-freeway-dry-run: true` on POST /v1/chat/completions answers with the routing
 * decision (the body of POST /v1/freeway/route) instead of calling a provider. This module only
 * reads the flag and shapes that reply; the decision itself comes from the gateway.
 */
import type { FastifyReply } from 'fastify';
import { FreewayError } from '../core/errors.js';
import type { JsonBody } from '../gateway/types.js';

export const DRY_RUN_HEADER = 'x-freeway-dry-run';

/** `true`/`1` ask for a dry run, `false`/`0` or no header for a real call; anything else is a client mistake. */
export function isDryRun(value: string | undefined): boolean {
  if (value === undefined) return false;
  const flag = value.trim().toLowerCase();
  if (flag === 'true' || flag === '1') return true;
  if (flag === 'false' || flag === '0') return false;
  throw new FreewayError('invalid_request', `${DRY_RUN_HEADER} must be 'true' or 'false'`, { param: DRY_RUN_HEADER });
}

/** Sends a route explanation with the same x-freeway-route header a real answer would carry. */
export async function sendRoute(reply: FastifyReply, explanation: JsonBody): Promise<JsonBody> {
  if (typeof explanation['route'] === 'string') reply.header('x-freeway-route', explanation['route']);
  return explanation;
}
