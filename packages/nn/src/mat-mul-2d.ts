// Matrix products whose forward and backward passes never use tfjs's transposed matmul on wasm
// (there, transposeA/transposeB are ~10x slower: docs/platform-notes.md) and transpose explicitly only
// where nn's prefersExplicitTranspose says so; other backends take the transposed operands in the kernel.
import * as tf from '@tensorflow/tfjs';
import { prefersExplicitTranspose } from './backend-preferences.js';
import { ShapeMismatchError } from './errors.js';

const matMul2dGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: productFreeingPackedCopy(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const d = dy as tf.Tensor2D;
      if (!prefersExplicitTranspose()) return [tf.matMul(d, sb, false, true), tf.matMul(sa, d, true, false)];
      // dA = dy @ B^T ; dB = A^T @ dy. The tidy frees each transpose (and the packed copy XNNPACK keeps
      // of it) now, not at the end of the whole backward pass: without it a GPT-2 124M step held every
      // weight's transpose twice over and overflowed wasm's 4 GiB heap.
      return tf.tidy(() => [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)),
        tf.matMul(tf.transpose(sa), dy as tf.Tensor2D),
      ]);
    },
  };
});

/** Weights at least this big (elements) are multiplied through a transient copy on wasm. */
const TRANSIENT_COPY_MIN = 1 << 16;

/**
 * a @ b. On wasm, XNNPACK keeps a packed copy of `b` until b's data is freed; for a weight that is
 * until the optimizer replaces it, so across a whole backward pass every weight would be held twice
 * (GPT-2 124M: ~500 MB of wasm's 4 GiB heap). Multiplying by a copy (b * 1: tf.clone shares the buffer)
 * that is freed at once frees the packed copy too; the packing is redone every step anyway, since the weights change.
 */
function productFreeingPackedCopy(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm' || b.size < TRANSIENT_COPY_MIN) return tf.matMul(a, b);
  const copy = tf.mul(b, 1) as tf.Tensor2D;
  const y = tf.matMul(a, copy) as tf.Tensor2D;
  copy.dispose();
  return y;
}

/** a [m,k] @ b [k,n] -> [m,n], with a gradient that uses only plain (non-transposed) matmuls. */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[0]) {
    throw new ShapeMismatchError(
      `matMul2d: cannot multiply [${a.shape.join(',')}] by [${b.shape.join(',')}]`,
    );
  }
  return isRecordingGradients() ? (matMul2dGrad(a, b) as tf.Tensor2D) : tf.matMul(a, b);
}

/** True while tfjs records a gradient tape (inside tf.grad / tf.variableGrads). */
export function isRecordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  return state.gradientDepth > 0;
}

/**
 * Batched product without autodiff. tfjs 4.22's wasm kernel runs any batch > 1 through a naive loop
 * (~1 GFLOP/s); XNNPACK only serves 2-D products, so on wasm large batches are split into 2-D ones.
 */
function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, m, k] = a.shape;
  const p = b.shape[2];
  if (n === 1 || 2 * m * k * p < 200_000 || tf.getBackend() !== 'wasm') {
    // The kernel itself: tf.matMul would add three reshapes around it (engine calls add up in decoding).
    return tf
      .engine()
      .runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor3D;
  }
  return tf.tidy(() => {
    const as = tf.split(a, n, 0);
    const bs = tf.split(b, n, 0);
    // each (1, m, k) @ (1, k, p) -> (m, p); stacked back to (n, m, p)
    const outs = as.map((ai, i) =>
      tf.matMul(tf.reshape(ai, [m, k]) as tf.Tensor2D, tf.reshape(bs[i], [k, p]) as tf.Tensor2D),
    );
    return tf.reshape(tf.concat(outs, 0), [n, m, p]) as tf.Tensor3D;
  });
}

const batchMatMulGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: bmm(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor3D, tf.Tensor3D];
      if (!prefersExplicitTranspose()) {
        const d = dy as tf.Tensor3D;
        return [tf.matMul(d, sb, false, true), tf.matMul(sa, d, true, false)];
      }
      return tf.tidy(() => [
        bmm(dy as tf.Tensor3D, tf.transpose(sb, [0, 2, 1])),
        bmm(tf.transpose(sa, [0, 2, 1]), dy as tf.Tensor3D),
      ]);
    },
  };
});

/**
 * Batched a [n,m,k] @ b [n,k,p] -> [n,m,p] (same batch on both sides, no broadcasting), with a gradient
 * that uses only plain products; on wasm, large batches run as 2-D XNNPACK products.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.rank !== 3 || b.rank !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new ShapeMismatchError(
      `batchMatMul: cannot multiply [${a.shape.join(',')}] by [${b.shape.join(',')}]`,
    );
  }
  return isRecordingGradients() ? (batchMatMulGrad(a, b) as tf.Tensor3D) : bmm(a, b);
}
