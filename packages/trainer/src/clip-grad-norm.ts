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
  scaleGrads(grads, maxNorm, total);
  return total;
}

/** {@link clipGradNorm} reading the norm with `await data()` (no synchronous readback: webgpu). */
export async function clipGradNormAsync(
  grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  maxNorm: number,
): Promise<number> {
  const total = await globalGradNormAsync(grads);
  scaleGrads(grads, maxNorm, total);
  return total;
}

function scaleGrads(
  grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
  maxNorm: number,
  total: number,
): void {
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
}

/** L2 norm of all gradients taken together, as one number. */
export function globalGradNorm(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): number {
  const { sq, hostSq } = squares(grads);
  if (!sq) return Math.sqrt(hostSq);
  const total = Math.sqrt(sq.dataSync()[0] + hostSq);
  sq.dispose();
  return total;
}

/** {@link globalGradNorm} reading the sum with `await data()` (no synchronous readback: webgpu). */
export async function globalGradNormAsync(
  grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
): Promise<number> {
  const { sq, hostSq } = squares(grads);
  if (!sq) return Math.sqrt(hostSq);
  const total = Math.sqrt((await sq.data())[0] + hostSq);
  sq.dispose();
  return total;
}

/** The sum of squares of the device gradients (a scalar tensor, if any) and of the host ones. */
function squares(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): {
  sq?: tf.Tensor;
  hostSq: number;
} {
  const list = grads instanceof Map ? [...grads.values()] : Object.values(grads);
  if (list.length === 0) return { hostSq: 0 };
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
  if (onDevice.length === 0) return { hostSq };
  // one gradient's square at a time (a single tidy would hold all of them: GPT-2's 650 MB over again)
  const parts = onDevice.map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  // webgpu's AddN binds every input at once: over the adapter's storage-buffer count (8 on Mesa's GLES)
  // the kernel is invalid and reads as zeros, so the parts are added two at a time there
  const sq = tf.getBackend() === 'webgpu' ? parts.slice(1).reduce(addKeep, parts[0].clone()) : tf.addN(parts);
  tf.dispose(parts);
  return { sq, hostSq };
}

function addKeep(acc: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const next = tf.add(acc, x);
  acc.dispose();
  return next;
}
