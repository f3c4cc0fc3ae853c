// Cross-entropy from logits and integer targets (book ch05 `calc_loss_batch`, ch07 ignore_index),
// without a one-hot tensor: log-sum-exp per row, the target logit gathered from the flattened logits
// with flat indices, and a hand-written gradient (softmax from the forward pass's exp, then the target
// entries patched with TensorScatterUpdate) so that no gather gradient (UnsortedSegmentSum, missing on wasm) runs.
// The row sums of exp are taken in two levels (blocks of SUM_BLOCK, then the block sums): wasm's float32
// Sum adds the 50,257 terms one after another and was 1.1e-4 off PyTorch's loss on gpt-tiny.
import * as tf from '@tensorflow/tfjs';
import { TrainerError } from './errors.js';

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** Targets equal to this are left out of the mean (PyTorch's default -100). */
  ignoreIndex?: number;
}

/**
 * Mean cross-entropy of `logits` [N, V] (or [B, T, V]) against int32 `targets` [N] (or [B, T]),
 * like `torch.nn.functional.cross_entropy(logits, targets, ignore_index=-100)`. A batch whose
 * targets are all ignored gives NaN, as PyTorch does.
 */
export function crossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor,
  opts: CrossEntropyOptions = {},
): tf.Scalar {
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const v = logits.shape[logits.shape.length - 1];
  const n = logits.size / v;
  if (targets.size !== n) {
    throw new TrainerError(
      `crossEntropy: targets have ${targets.size} entries, logits [${logits.shape}] need ${n}`,
    );
  }
  if (targets.dtype !== 'int32')
    throw new TrainerError(`crossEntropy: targets must be int32, got ${targets.dtype}`);

  return tf.tidy(() => {
    const x2d = tf.reshape(logits, [n, v]); // (..., V) -> (N, V)
    const t = tf.reshape(targets, [n]);
    const valid = tf.notEqual(t, tf.scalar(ignoreIndex, 'int32'));
    const safeT = tf.where(valid, t, tf.zerosLike(t));
    // flat index of row i's target in the (N*V) flattened logits
    const idx = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), safeT);
    const mask = tf.cast(valid, 'float32');
    // w_i = mask_i / count: the weight of row i in the mean
    const w = tf.div(mask, tf.sum(mask));

    const ce = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const xs = args[0] as tf.Tensor2D;
      const save = args[1] as tf.GradSaveFunc;
      const m = tf.max(xs, 1, true); // (N, 1)
      const shifted = tf.sub(xs, m); // (N, V)
      const e = tf.exp(shifted); // (N, V), kept: the backward pass reuses it instead of a second exp
      shifted.dispose(); // 103 MB for GPT-2 at B*T = 512: free it now, not at the end of the tidy
      const s = blockedRowSum(e as tf.Tensor2D); // (N, 1)
      const lse = tf.add(m, tf.log(s)); // (N, 1)
      const picked = tf.gather(tf.reshape(xs, [n * v]), idx); // (N,)
      const nll = tf.sub(tf.reshape(lse, [n]), picked); // (N,)
      const value = tf.sum(tf.mul(nll, w)) as tf.Scalar;
      save([e, s, lse, picked, idx, w]);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [eSaved, sSaved, lseSaved, pickedSaved, idxSaved, wSaved] = saved;
          const scale = tf.mul(wSaved, dy); // (N,)
          // softmax_ij * w_i * dy = e_ij * (w_i * dy / s_i)
          const soft = tf.mul(eSaved, tf.div(tf.reshape(scale, [n, 1]), sSaved)); // (N, V)
          // at the target entries: (p_target - 1) * w_i * dy
          const atTarget = tf.mul(tf.sub(tf.exp(tf.sub(pickedSaved, tf.reshape(lseSaved, [n]))), 1), scale);
          const g = tf.tensorScatterUpdate(tf.reshape(soft, [n * v]), tf.reshape(idxSaved, [n, 1]), atTarget);
          return tf.reshape(g, [n, v]); // (N*V) -> (N, V)
        },
      };
    });
    return ce(x2d) as tf.Scalar;
  });
}

/** Width of the first level of {@link blockedRowSum}. */
const SUM_BLOCK = 256;

/**
 * Row sums of a non-negative [N, V] tensor as [N, 1], in two levels: zero-pad V to a multiple of
 * SUM_BLOCK, sum each block, then sum the block sums. Float32 error grows with the terms added in
 * sequence (V = 50,257 on wasm), here with SUM_BLOCK + V / SUM_BLOCK of them. Frees its transients.
 */
export function blockedRowSum(e: tf.Tensor2D): tf.Tensor2D {
  const [n, v] = e.shape;
  if (v <= 2 * SUM_BLOCK) return tf.sum(e, 1, true) as tf.Tensor2D;
  const nb = Math.ceil(v / SUM_BLOCK);
  const padded =
    nb * SUM_BLOCK === v
      ? e
      : tf.pad(e, [
          [0, 0],
          [0, nb * SUM_BLOCK - v],
        ]); // (N, nb*BLOCK)
  const blocks = tf.reshape(padded, [n, nb, SUM_BLOCK]); // (N, nb*BLOCK) -> (N, nb, BLOCK)
  const partial = tf.sum(blocks, 2); // (N, nb)
  if (padded !== e) padded.dispose();
  blocks.dispose();
  const s = tf.sum(partial, 1, true) as tf.Tensor2D; // (N, 1)
  partial.dispose();
  return s;
}
