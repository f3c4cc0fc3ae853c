// The loss of a batch whose logits [B*T, V] would not fit one WebGPU binding (the adapter's
// maxStorageBufferBindingSize; over it a kernel reads zeros): the blocks run once, then the head and the
// cross-entropy run on row chunks that each fit, and the chunk losses are added weighted by their share
// of the valid targets, which is the batch's mean. One tape: gradients flow through every chunk.
import * as tf from '@tensorflow/tfjs';
import { logitRowsPerChunk, withDeviceLease } from '@llmfs/nn';
import { crossEntropy } from './cross-entropy.js';
import { countValid } from './micro-batches.js';
import { isStreamable } from './streamed-batch-grads.js';
import type { BatchLike, TrainableModel } from './types.js';

/** Width of the padded rows crossEntropy's blocked row sum makes (its first level sums blocks of 256). */
const PAD = 256;

/**
 * Mean cross-entropy of `model` on `batch` with the logits taken in row chunks, or undefined when the
 * whole logits fit one binding (every backend but a webgpu adapter with a small limit) or the model has
 * no separate head (it is not a GPTModel).
 */
export function rowChunkedLossBatch(
  batch: BatchLike,
  model: Pick<TrainableModel, 'forward'>,
  opts: { ignoreIndex?: number } = {},
): tf.Scalar | undefined {
  if (!isStreamable(model)) return undefined;
  const v = (model as { out_head?: { outFeatures?: number } }).out_head?.outFeatures;
  if (!v) return undefined;
  const { batchSize: b, seqLen: t } = batch;
  const n = b * t;
  const rowsPer = logitRowsPerChunk(Math.ceil(v / PAD) * PAD * 4);
  if (n <= rowsPer) return undefined;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const total = countValid(batch.targets, ignoreIndex);
  const segments = model.segmentParameters();
  return tf.tidy(() => {
    const ids = tf.tensor2d(batch.inputs, [b, t], 'int32');
    model.checkIds(ids);
    let x = withDeviceLease(segments[0][1], () => model.embed(ids)); // (1, B*T, C)
    model.trf_blocks.layers.forEach((blk, i) => {
      const xi = x;
      x = withDeviceLease(segments[i + 1][1], () => blk.forwardFlat(xi, b, t));
    });
    // every target ignored: NaN, as PyTorch, still connected to the parameters
    if (total === 0) return tf.mul(tf.sum(x), NaN) as tf.Scalar;
    const headParams = segments[segments.length - 1][1];
    let loss: tf.Scalar | undefined;
    for (let r0 = 0; r0 < n; r0 += rowsPer) {
      const r1 = Math.min(n, r0 + rowsPer);
      const tChunk = batch.targets.subarray(r0, r1);
      const valid = countValid(tChunk, ignoreIndex);
      if (valid === 0) continue; // no share of the mean (and its own mean would be NaN)
      const xs = tf.slice(x, [0, r0, 0], [1, r1 - r0, -1]); // (1, rows, C)
      const logits = withDeviceLease(headParams, () => model.head(xs as tf.Tensor3D)); // (1, rows, V)
      const ce = crossEntropy(tf.reshape(logits, [r1 - r0, v]), tf.tensor1d(tChunk, 'int32'), {
        ignoreIndex,
      });
      const part = tf.mul(ce, valid / total) as tf.Scalar;
      loss = loss ? (tf.add(loss, part) as tf.Scalar) : part;
    }
    return loss!;
  });
}
