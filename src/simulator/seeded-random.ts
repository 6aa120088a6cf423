/**
 * Seeded randomness for the fleet: a string hash and a small PRNG. Every random choice the fleet
 * makes (answer words, latency noise, faults) is drawn from these, keyed on the seed and the request,
 * so the same requests get the same outcomes. Never use Math.random here.
 */

/** 32-bit FNV-1a over the string, mixed with `seed`. */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Mulberry32: a fast 32-bit generator returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random function keyed on several parts (seed, provider, request hash, counter…). */
export function keyedRandom(...parts: (string | number)[]): () => number {
  return seededRandom(hashString(parts.join('\u0000')));
}
