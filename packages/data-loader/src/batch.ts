// The batch type every loader yields: plain typed arrays, no tensors (the trainer makes tensors).

/** One batch of input and target ids, row-major `[batchSize, seqLen]`; targets are inputs shifted by one. */
export interface Batch {
  inputs: Int32Array;
  targets: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** Options of `DataLoader.batches`: which epoch's order to use and which batch to start from. */
export interface BatchesOptions {
  /** Epoch number; with shuffle the order depends only on (seed, epoch). Default 0. */
  epoch?: number;
  /** Index of the first batch to yield (exact resume). Default 0. */
  startBatch?: number;
}

/** A re-iterable sequence of batches whose length is known before iterating. */
export interface DataLoader extends Iterable<Batch> {
  /** Batches per epoch. */
  readonly length: number;
  /** Yields the batches of `epoch` starting at `startBatch`. */
  batches(opts?: BatchesOptions): IterableIterator<Batch>;
}
