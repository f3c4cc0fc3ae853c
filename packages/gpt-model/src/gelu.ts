// GELU, tanh approximation (book section 4.3), as GPT-2 uses it.
import * as tf from '@tensorflow/tfjs';
import { Module, geluInference } from '@llmfs/nn';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as x * sigmoid(2 z) with
 * z = sqrt(2/pi) x (1 + 0.044715 x^2): the same function (0.5 (1 + tanh z) = sigmoid(2 z)) in 6 ops, not 9.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const fused = geluInference(x);
  if (fused) return fused;
  return tf.tidy(() => {
    const twoZ = tf.mul(x, tf.add(tf.mul(tf.square(x), 2 * SQRT_2_OVER_PI * 0.044715), 2 * SQRT_2_OVER_PI));
    return tf.mul(x, tf.sigmoid(twoZ));
  });
}

/** The book's GELU module (no parameters). */
export class GELU extends Module {
  /** Elementwise GELU. */
  forward(x: tf.Tensor): tf.Tensor {
    return gelu(x);
  }
}
