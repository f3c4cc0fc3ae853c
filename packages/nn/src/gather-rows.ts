// Row gather with a scatterND gradient: tf.gather's own gradient needs UnsortedSegmentSum, which wasm
// lacks (PLATFORM-NOTES.md). Used by Embedding and by the vocabulary shards of a large embedding.
import * as tf from '@tensorflow/tfjs';

/** weight [num, dim] gathered at flat int32 ids [N] -> [N, dim]; dW[v] = sum of the dy rows whose id is v. */
export const gatherRows = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [weight, ids, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  const shape = weight.shape as [number, number];
  return {
    value: tf.gather(weight, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const flatIds = saved[0];
      // scatterND sums duplicate indices
      return tf.tidy(() => {
        const idx = tf.reshape(flatIds, [-1, 1]); // (N,) -> (N, 1)
        return [tf.scatterND(idx, dy, shape), tf.zerosLike(flatIds)];
      });
    },
  };
}) as (weight: tf.Tensor, ids: tf.Tensor) => tf.Tensor;
