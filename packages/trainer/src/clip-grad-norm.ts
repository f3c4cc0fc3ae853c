// Global L2 gradient clipping, like torch.nn.utils.clip_grad_norm_ (appendix D).
import * as tf from '@tensorflow/tfjs';

/**
 * Computes the L2 norm of all gradients together; when it exceeds `maxNorm`, scales every gradient
 * by maxNorm / (total + 1e-6) in place (the map entries are replaced, old tensors disposed).
 * Returns the total norm before clipping (NaN/Infinity pass through unclipped).
 */
export function clipGradNorm(
  grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  maxNorm: number,
): number {
  const total = globalGradNorm(grads);
  const coef = maxNorm / (total + 1e-6);
  if (Number.isFinite(total) && coef < 1) {
    const keys = grads instanceof Map ? [...grads.keys()] : Object.keys(grads);
    for (const k of keys) {
      const g = grads instanceof Map ? grads.get(k)! : grads[k];
      const scaled = tf.mul(g, coef);
      g.dispose();
      if (grads instanceof Map) grads.set(k, scaled);
      else grads[k] = scaled;
    }
  }
  return total;
}

/** L2 norm of all gradients taken together, as one number. */
export function globalGradNorm(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): number {
  const list = grads instanceof Map ? [...grads.values()] : Object.values(grads);
  if (list.length === 0) return 0;
  // one gradient's square at a time (a single tidy would hold all of them: GPT-2's 650 MB over again)
  const parts = list.map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  const sq = tf.addN(parts);
  tf.dispose(parts);
  const total = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  return total;
}
