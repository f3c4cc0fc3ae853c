// Batching over any source of fixed-length windows (in-memory ids or a token file): order, shuffle,
// dropLast, resume. Shared by createDataLoaderV1 and createTokenFileLoader.
import type { Batch, BatchesOptions, DataLoader } from './batch.js';
import { checkInteger } from './check-options.js';
import { DataLoaderError } from './data-loader-error.js';
import { seededPermutation } from './seeded-permutation.js';

/** Anything that can copy window `i` (maxLength inputs and targets) into row `row` of a batch. */
export interface WindowSource {
  readonly length: number;
  readonly maxLength: number;
  copyWindowInto(i: number, inputs: Int32Array, targets: Int32Array, row: number): void;
}

/** Batching options shared by every loader. */
export interface LoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  seed?: number;
}

/** Default seed of the loaders (the book's torch.manual_seed(123)). */
export const DEFAULT_SEED = 123;
/** The book's create_dataloader_v1 defaults: batch_size=4, max_length=256, stride=128. */
export const DEFAULT_BATCH_SIZE = 4;
export const DEFAULT_MAX_LENGTH = 256;
export const DEFAULT_STRIDE = 128;

/** A DataLoader over a WindowSource; plain iteration advances the epoch like a PyTorch DataLoader. */
export class WindowLoader<S extends WindowSource = WindowSource> implements DataLoader {
  readonly length: number;
  readonly batchSize: number;
  readonly seqLen: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  private epochsIterated = 0;

  constructor(
    readonly source: S,
    opts: LoaderOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    checkInteger('batchSize', this.batchSize, 1);
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? true;
    this.seed = opts.seed ?? DEFAULT_SEED;
    if (!Number.isInteger(this.seed)) throw new DataLoaderError(`seed must be an integer, got ${this.seed}`);
    this.seqLen = source.maxLength;
    const n = source.length;
    this.length = this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    if (this.length === 0) {
      throw new DataLoaderError(
        `${n} windows are fewer than batchSize ${this.batchSize} with dropLast: lower batchSize or maxLength, set dropLast false, or give more text`,
      );
    }
  }

  /** The window source (a GPTDatasetV1 or a token file dataset). */
  get dataset(): S {
    return this.source;
  }

  /** Number of windows (dataset items). */
  get numWindows(): number {
    return this.source.length;
  }

  /** Window indices in the order of `epoch` (identity without shuffle). */
  order(epoch = 0): Uint32Array {
    if (this.shuffle) return seededPermutation(this.source.length, this.seed, epoch);
    const o = new Uint32Array(this.source.length);
    for (let i = 0; i < o.length; i++) o[i] = i;
    return o;
  }

  /** Yields the batches of `epoch` from `startBatch` on; each batch owns fresh arrays. Checks eagerly. */
  batches(opts: BatchesOptions = {}): IterableIterator<Batch> {
    const epoch = opts.epoch ?? 0;
    const startBatch = opts.startBatch ?? 0;
    checkInteger('epoch', epoch, 0);
    checkInteger('startBatch', startBatch, 0);
    if (startBatch > this.length) {
      throw new DataLoaderError(
        `startBatch ${startBatch} is past the ${this.length} batches of an epoch; use 0..${this.length}`,
      );
    }
    return this.generate(this.order(epoch), startBatch);
  }

  private *generate(order: Uint32Array, startBatch: number): IterableIterator<Batch> {
    const T = this.seqLen;
    for (let b = startBatch; b < this.length; b++) {
      const first = b * this.batchSize;
      const rows = Math.min(this.batchSize, order.length - first);
      const inputs = new Int32Array(rows * T);
      const targets = new Int32Array(rows * T);
      for (let r = 0; r < rows; r++) this.source.copyWindowInto(order[first + r], inputs, targets, r);
      yield { inputs, targets, batchSize: rows, seqLen: T };
    }
  }

  /** Plain iteration: epoch 0 the first time, then 1, 2, ... (reshuffles like a PyTorch DataLoader). */
  [Symbol.iterator](): IterableIterator<Batch> {
    return this.batches({ epoch: this.epochsIterated++ });
  }
}
