// Dropout (PyTorch nn.Dropout): zero with probability p and scale by 1/(1-p) in training; identity in eval.
// The mask comes from tf.randomUniform seeded from an Rng, so a run is reproducible from its seed.
import * as tf from '@tensorflow/tfjs';
import { NNError } from './errors.js';
import { isRecordingGradients } from './mat-mul-2d.js';
import { Module } from './module.js';
import { DEFAULT_RNG_SEED, Rng } from './rng.js';

/** Options of `Dropout`. */
export interface DropoutOptions {
  /** Generator for the masks (default: a fresh Rng(123)). */
  rng?: Rng;
}

/** Inverted dropout with a seeded mask. */
export class Dropout extends Module {
  /** The generator that seeds each mask (its state can be saved for exact resume). */
  readonly rng: Rng;

  constructor(
    readonly p: number,
    opts: DropoutOptions = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new NNError(`Dropout: p must be in [0, 1), got ${p}`);
    this.rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
  }

  /** x -> x * mask / (1 - p) in training, x itself in eval or when p = 0. */
  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    const seed = this.rng.seed();
    const p = this.p;
    const scaleOf = (shape: number[]) =>
      tf.tidy(() => {
        const keep = tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', seed), p);
        return tf.div(tf.cast(keep, 'float32'), 1 - p);
      });
    if (!isRecordingGradients()) return tf.tidy(() => tf.mul(x, scaleOf(x.shape)));
    // Taped: only the scaled mask is kept for the backward pass (dx = dy * scale, what the product's own
    // gradient computes). Left to autodiff, the tape would keep the uniform draw, the cast mask and the
    // input as well: four tensors of x's size, [B, H, T, T] for the attention weights.
    const dropout = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
      const scale = scaleOf(input.shape);
      save([scale]);
      return {
        value: tf.mul(input, scale),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]),
      };
    });
    return dropout(x);
  }
}
