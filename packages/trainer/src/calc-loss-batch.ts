// calc_loss_batch (book ch05): logits of a batch, flattened, against its targets.
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from './cross-entropy.js';
import { rowChunkedLossBatch } from './row-chunked-loss.js';
import type { BatchLike, TrainableModel } from './types.js';

/** Mean cross-entropy of `model` on one batch (targets equal to `ignoreIndex`, default -100, are left out). */
export function calcLossBatch(
  batch: BatchLike,
  model: Pick<TrainableModel, 'forward'>,
  opts: { ignoreIndex?: number } = {},
): tf.Scalar {
  // logits over a webgpu adapter's binding limit: the head and the loss in row chunks
  const chunked = rowChunkedLossBatch(batch, model, opts);
  if (chunked) return chunked;
  return tf.tidy(() => {
    const { batchSize: b, seqLen: t } = batch;
    const inputs = tf.tensor2d(batch.inputs, [b, t], 'int32');
    const targets = tf.tensor1d(batch.targets, 'int32'); // (B*T,)
    const logits = model.forward(inputs); // (B, T, V)
    const v = logits.shape[logits.shape.length - 1];
    return crossEntropy(tf.reshape(logits, [b * t, v]), targets, opts); // (B, T, V) -> (B*T, V)
  });
}
