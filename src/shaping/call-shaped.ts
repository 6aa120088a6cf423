/**
 * The per-deployment call, shaped: the body gets the deployment's known and learned rules before it
 * is sent; a 400 that names a soft parameter teaches a rule and the call is retried on the same deployment
 * (inside the same admission), once per lesson; a 400 that names a hard need marks the deployment as
 * lacking it and fails over. What was changed in the answering call lands in `notes`.
 */
import type { Deployment } from '../core/deployment.js';
import { unsupportedNeed, type Shaping, type ShapingNotes } from './shaping.js';

export interface ShapedCall {
  deployment: Deployment;
  /** The body built for this deployment; never mutated (the retry starts from it again). */
  body: Record<string, unknown>;
  /** The request's task kind (src/routing/task-features.ts). */
  kind: string;
}

/** Retries after a rejection that taught something; a request rarely carries more than two refused parameters. */
const maxRetries = 3;

export async function callShaped<T>(
  shaping: Shaping,
  call: ShapedCall,
  notes: ShapingNotes,
  send: (body: Record<string, unknown>) => Promise<T>,
): Promise<T> {
  let body = { ...call.body };
  let changes = shaping.prepare(call.deployment, body, call.kind);
  // Each retry must be paid for by a lesson that changes what is sent (a parameter stripped or
  // clamped), so this ends: at most one retry per parameter the provider names, and never more than
  // `maxRetries`. A lesson another request learned meanwhile counts, as long as it changes this body.
  for (let retries = 0; ; retries++) {
    try {
      const value = await send(body);
      notes.record(changes);
      return value;
    } catch (error) {
      const lesson = shaping.learnFrom(error, call.deployment, call.body);
      if (!lesson) throw error;
      if (lesson.kind === 'hard') throw unsupportedNeed(call.deployment, lesson);
      const next = { ...call.body };
      const nextChanges = shaping.prepare(call.deployment, next, call.kind);
      if (retries >= maxRetries || JSON.stringify(next[lesson.param]) === JSON.stringify(body[lesson.param])) throw error;
      body = next;
      changes = nextChanges;
    }
  }
}
