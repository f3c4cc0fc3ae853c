// SelfAttentionV2 (book section 3.4.2): the same computation with Linear layers (no bias by default).
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RNG_SEED, Linear, matMul2d, Module, Rng, ShapeMismatchError } from '@llmfs/nn';
import type { AttentionOptions } from './self-attention-v1.js';

/** Self-attention over x [T, dIn] with Linear projections W_query/W_key/W_value. */
export class SelfAttentionV2 extends Module {
  readonly W_query: Linear;
  readonly W_key: Linear;
  readonly W_value: Linear;

  constructor(
    readonly dIn: number,
    readonly dOut: number,
    readonly qkvBias = false,
    opts: AttentionOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    this.W_query = this.registerModule('W_query', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_key = this.registerModule('W_key', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_value = this.registerModule('W_value', new Linear(dIn, dOut, { bias: qkvBias, rng }));
  }

  /** x [T, dIn] -> context vectors [T, dOut]. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.dIn)
      throw new ShapeMismatchError(`SelfAttentionV2: input [${x.shape.join(',')}] is not [T, ${this.dIn}]`);
    return tf.tidy(() => {
      const keys = this.W_key.forward(x) as tf.Tensor2D; // (T, dOut)
      const queries = this.W_query.forward(x) as tf.Tensor2D;
      const values = this.W_value.forward(x) as tf.Tensor2D;
      const scores = matMul2d(queries, tf.transpose(keys)); // (T, T)
      const weights = tf.softmax(tf.div(scores, Math.sqrt(this.dOut)));
      return matMul2d(weights as tf.Tensor2D, values);
    });
  }
}
