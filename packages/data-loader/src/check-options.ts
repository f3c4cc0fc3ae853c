// Shared checks of the sliding-window options, so the in-memory and file loaders say the same things.
import { DataLoaderError } from './data-loader-error.js';

/** Throws a DataLoaderError unless `value` is an integer >= `min`, naming the option. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new DataLoaderError(
      `${name} must be an integer >= ${min}, got ${value}; set ${name} to ${min} or more`,
    );
  }
}

/**
 * Number of windows of the book's rule `for i in range(0, len(ids) - max_length, stride)`.
 * Throws when there are too few tokens for a single window (the book would silently give none).
 */
export function countWindows(numTokens: number, maxLength: number, stride: number, what = 'ids'): number {
  checkInteger('maxLength', maxLength, 1);
  checkInteger('stride', stride, 1);
  if (numTokens <= maxLength) {
    throw new DataLoaderError(
      `${what}: ${numTokens} tokens are too few for one window of maxLength ${maxLength} (need at least ${maxLength + 1}); lower maxLength or give more text`,
    );
  }
  return Math.ceil((numTokens - maxLength) / stride);
}
