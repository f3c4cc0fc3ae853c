// The book's find_highest_gradient (appendix D): the largest gradient value over all parameters, to
// see what clipping does. Gradients live in the map batchGrads returns (tfjs keeps no `.grad` on a
// variable), so the map is the argument.
import type * as tf from '@tensorflow/tfjs';
import { readHostViews } from '@llmfs/nn';

/** The largest value among all gradients (-Infinity for none), read where the tensors are. */
export function findHighestGradient(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): number {
  let max = -Infinity;
  const list = grads instanceof Map ? [...grads.values()] : Object.values(grads);
  for (const g of list)
    readHostViews([g], (d) => {
      for (let i = 0; i < d.length; i++) if (d[i] > max) max = d[i];
    });
  return max;
}
