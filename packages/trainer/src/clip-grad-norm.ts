// Global L2 gradient clipping, like torch.nn.utils.clip_grad_norm_ (appendix D).
import * as tf from '@tensorflow/tfjs';
import { isOnHost, readHostViews, writableHostValues } from '@llmfs/nn';

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
      const own = writableHostValues(g);
      if (own) {
        // a host-resident gradient (the streamed step's) is scaled where it lives
        for (let i = 0; i < own.length; i++) own[i] *= coef;
        continue;
      }
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
  // host-resident gradients (the streamed step's) are summed in JavaScript, where they live
  let hostSq = 0;
  const onDevice = list.filter((g) => {
    if (!isOnHost(g)) return true;
    hostSq += readHostViews([g], (d) => {
      let s = 0;
      for (let i = 0; i < d.length; i++) s += d[i] * d[i];
      return s;
    });
    return false;
  });
  if (onDevice.length === 0) return Math.sqrt(hostSq);
  // one gradient's square at a time (a single tidy would hold all of them: GPT-2's 650 MB over again)
  const parts = onDevice.map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  const sq = tf.addN(parts);
  tf.dispose(parts);
  const total = Math.sqrt(sq.dataSync()[0] + hostSq);
  sq.dispose();
  return total;
}
