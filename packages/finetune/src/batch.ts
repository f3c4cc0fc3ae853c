// The batch shapes finetuning produces: @llmfs/data-loader's Batch for next-token training, and a
// labelled batch for classification. Plain typed arrays, no tensors.

/** Row-major [B, T] inputs and targets, the same shape as @llmfs/data-loader's Batch. */
export interface TokenBatch {
  inputs: Int32Array;
  targets: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** Row-major [B, T] inputs and one class label per row (chapter 6). */
export interface LabelBatch {
  inputs: Int32Array;
  labels: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** A re-iterable loader with a known length and a per-epoch order, like data-loader's DataLoader. */
export interface BatchLoader<B> extends Iterable<B> {
  /** Batches per epoch. */
  readonly length: number;
  batches(opts?: { epoch?: number; startBatch?: number }): IterableIterator<B>;
}

/** Builds a loader over `n` items: shuffled per (seed, epoch) when asked, last short batch kept or dropped. */
export function makeLoader<B>(
  n: number,
  opts: { batchSize: number; shuffle: boolean; dropLast: boolean; seed: number },
  shuffle: (indices: number[], seed: number) => number[],
  makeBatch: (indices: number[]) => B,
): BatchLoader<B> {
  const { batchSize } = opts;
  const length = opts.dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  function* batches(o: { epoch?: number; startBatch?: number } = {}): IterableIterator<B> {
    const base = Array.from({ length: n }, (_, i) => i);
    const order = opts.shuffle ? shuffle(base, (opts.seed + 1000003 * (o.epoch ?? 0)) >>> 0) : base;
    for (let b = o.startBatch ?? 0; b < length; b++)
      yield makeBatch(order.slice(b * batchSize, (b + 1) * batchSize));
  }
  return { length, batches, [Symbol.iterator]: () => batches() };
}
