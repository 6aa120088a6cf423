/**
 * Seeded randomness for the fleet: a string hash and a small PRNG. Every random choice the fleet
 * makes (answer words, latency noise, faults) is drawn from these, keyed on the seed and the request,
 * so the same requests get the same outcomes. Never use Math.random here.
 */

import { seededRandom } from '../core/seeded-random.js';

export { seededRandom };

/** 32-bit FNV-1a over the string, mixed with `seed`. */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}


/** A random function keyed on several parts (seed, provider, request hash, counter…). */
export function keyedRandom(...parts: (string | number)[]): () => number {
  return seededRandom(hashString(parts.join('\u0000')));
}
