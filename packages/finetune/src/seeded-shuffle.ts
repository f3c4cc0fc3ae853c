// Seeded shuffling for balancing, splitting and shuffling loaders, on @llmfs/data-loader's generator
// (mulberry32 + Fisher-Yates). The book uses pandas/PyTorch RNGs; the same seed gives a different (but
// fixed) order here.
import { mulberry32 } from '@llmfs/data-loader';

export { mulberry32 };

/** A shuffled copy of `items`; the order depends only on `seed`. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const rand = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
