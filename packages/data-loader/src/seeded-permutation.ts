// Seeded shuffling: a permutation that depends only on (seed, epoch), identical on every platform.
// PyTorch's RandomSampler order cannot be reproduced outside torch; this is llmfs's own, stable one.

/** 2^32: divides a 32-bit unsigned integer into [0, 1). */
const UINT32_RANGE = 2 ** 32;

/** mulberry32: a small 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  };
}

/** Mixes a seed and an epoch into one 32-bit PRNG seed (murmur3 finalizer). */
function mixSeed(seed: number, epoch: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((epoch | 0) + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fisher-Yates permutation of 0..n-1 seeded by (seed, epoch). */
export function seededPermutation(n: number, seed: number, epoch = 0): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(mixSeed(seed, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
