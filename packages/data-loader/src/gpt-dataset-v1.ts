// GPTDatasetV1 (book ch. 2.6): sliding windows over token ids, targets shifted by one token.
import { countWindows } from './check-options.js';

/** One window of the dataset: `inputIds = ids[s, s+maxLength)`, `targetIds = ids[s+1, s+maxLength+1)`. */
export interface Window {
  inputIds: Int32Array;
  targetIds: Int32Array;
}

/**
 * The book's GPTDatasetV1 over already-tokenized ids: windows start at
 * `for i in range(0, len(ids) - max_length, stride)`.
 */
export class GPTDatasetV1 {
  /** The token ids (a private int32 copy). */
  readonly ids: Int32Array;
  /** Number of windows. */
  readonly length: number;

  constructor(
    ids: ArrayLike<number>,
    readonly maxLength: number,
    readonly stride: number,
  ) {
    this.length = countWindows(ids.length, maxLength, stride);
    this.ids = Int32Array.from(ids);
  }

  /** First token index of window `i`. */
  windowStart(i: number): number {
    return i * this.stride;
  }

  /** Window `i` (copies); the book's `__getitem__`. */
  get(i: number): Window {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`GPTDatasetV1.get: index ${i} is outside 0..${this.length - 1}`);
    }
    const s = this.windowStart(i);
    return {
      inputIds: this.ids.slice(s, s + this.maxLength),
      targetIds: this.ids.slice(s + 1, s + this.maxLength + 1),
    };
  }

  /** Copies window `i` into row `row` of `[*, maxLength]` input and target buffers. */
  copyWindowInto(i: number, inputs: Int32Array, targets: Int32Array, row: number): void {
    const s = this.windowStart(i);
    const T = this.maxLength;
    inputs.set(this.ids.subarray(s, s + T), row * T);
    targets.set(this.ids.subarray(s + 1, s + T + 1), row * T);
  }
}
