// LayerNorm (book section 4.2): normalise the last axis with the biased variance, eps 1e-5, then scale/shift.
import * as tf from '@tensorflow/tfjs';
import { Module, layerNormInference } from '@llmfs/nn';

/** The book's LayerNorm: parameters `scale` (ones) and `shift` (zeros), both [embDim]. */
export class LayerNorm extends Module {
  readonly eps = 1e-5;
  readonly scale: tf.Variable;
  readonly shift: tf.Variable;

  constructor(readonly embDim: number) {
    super();
    this.scale = this.registerParameter('scale', tf.ones([embDim]));
    this.shift = this.registerParameter('shift', tf.zeros([embDim]));
  }

  /** x [..., embDim] -> same shape. */
  forward(x: tf.Tensor): tf.Tensor {
    const fused = layerNormInference(x, this.scale, this.shift, this.eps);
    if (fused) return fused;
    return tf.tidy(() => {
      const xc = tf.sub(x, tf.mean(x, -1, true));
      const variance = tf.mean(tf.square(xc), -1, true); // biased variance (unbiased=False in the book)
      const norm = tf.mul(xc, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(norm, this.scale), this.shift);
    });
  }
}
