// Ratio splits of a list (book ch. 6 random_split 70/10/20, ch. 7 85/10/5): each part but the last gets
// int(ratio * n) items in order, the last gets the rest; optionally shuffled first with a seed.
import { DataLoaderError } from './data-loader-error.js';
import { seededPermutation } from './seeded-permutation.js';

/** Options of splitByRatios. */
export interface SplitOptions {
  /** Shuffle a copy with this seed before splitting (order depends only on the seed); default: no shuffle. */
  seed?: number;
}

/**
 * Splits `items` into consecutive parts of `int(ratios[k] * n)` items; the last part takes the rest,
 * as the book does. E.g. ch. 7: `[train, test, val] = splitByRatios(data, [0.85, 0.1, 0.05])` -> 935/110/55.
 */
export function splitByRatios<T>(
  items: readonly T[],
  ratios: readonly number[],
  opts: SplitOptions = {},
): T[][] {
  if (!Array.isArray(items)) throw new DataLoaderError('splitByRatios: items must be an array');
  if (ratios.length < 1) throw new DataLoaderError('splitByRatios: give at least one ratio, e.g. [0.9, 0.1]');
  for (const r of ratios) {
    if (!(r >= 0 && r <= 1))
      throw new DataLoaderError(
        `splitByRatios: ratio ${r} is not between 0 and 1; use fractions like [0.85, 0.1, 0.05]`,
      );
  }
  const sum = ratios.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-6) {
    throw new DataLoaderError(`splitByRatios: ratios sum to ${sum}, not 1; make them add up to 1`);
  }
  let list: T[] = items.slice();
  if (opts.seed !== undefined) {
    if (!Number.isInteger(opts.seed))
      throw new DataLoaderError(`splitByRatios: seed must be an integer, got ${opts.seed}`);
    const order = seededPermutation(items.length, opts.seed);
    list = Array.from(order, (i) => items[i]);
  }
  const n = list.length;
  const parts: T[][] = [];
  let start = 0;
  for (let k = 0; k < ratios.length; k++) {
    const end = k === ratios.length - 1 ? n : Math.min(n, start + Math.floor(ratios[k] * n)); // Python: int(n * frac)
    parts.push(list.slice(start, end));
    start = end;
  }
  return parts;
}
