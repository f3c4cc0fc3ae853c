// Splitting a batch's rows into micro-batches (gradient accumulation), shared by both training steps.
import type { BatchLike } from './types.js';

/** Micro-batch `j` of `k` equal parts of `batch`'s rows (views, no copies). */
export function microBatch(batch: BatchLike, j: number, k: number): BatchLike {
  const rows = batch.batchSize / k;
  const n = rows * batch.seqLen;
  return {
    inputs: batch.inputs.subarray(j * n, (j + 1) * n),
    targets: batch.targets.subarray(j * n, (j + 1) * n),
    batchSize: rows,
    seqLen: batch.seqLen,
  };
}

/** Targets that count in the loss (not `ignoreIndex`). */
export function countValid(targets: Int32Array, ignoreIndex: number): number {
  let n = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] !== ignoreIndex) n++;
  return n;
}
