/**
 * A seeded random source (mulberry32): floats in [0, 1) that repeat for the same seed, for
 * whatever must be random yet reproducible — the simulated fleet's choices, test and benchmark
 * workloads. Production code takes its `random` from deps; this is one thing to pass there.
 */
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
