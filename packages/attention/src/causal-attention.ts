// CausalAttention (book section 3.5.3): batched single-head attention with the causal mask and dropout
// on the attention weights.
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, DEFAULT_RNG_SEED, Dropout, Linear, Module, Rng, ShapeMismatchError } from '@llmfs/nn';
import { causalMask } from './causal-mask.js';
import type { AttentionOptions } from './self-attention-v1.js';

/** One causal attention head over x [B, T, dIn] -> [B, T, dOut]. */
export class CausalAttention extends Module {
  readonly W_query: Linear;
  readonly W_key: Linear;
  readonly W_value: Linear;
  readonly dropout: Dropout;
  /** Set by forward(x, { returnWeights: true }): [B, T, T] (the caller disposes it). */
  lastAttentionWeights?: tf.Tensor3D;

  constructor(
    readonly dIn: number,
    readonly dOut: number,
    readonly contextLength: number,
    dropout: number,
    readonly qkvBias = false,
    opts: AttentionOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    this.W_query = this.registerModule('W_query', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_key = this.registerModule('W_key', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_value = this.registerModule('W_value', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.dropout = this.registerModule('dropout', new Dropout(dropout, { rng }));
  }

  /** x [B, T, dIn] -> [B, T, dOut]; T must not exceed contextLength. */
  forward(x: tf.Tensor3D, opts: { returnWeights?: boolean } = {}): tf.Tensor3D {
    const [, t, dIn] = x.shape;
    if (x.rank !== 3 || dIn !== this.dIn)
      throw new ShapeMismatchError(
        `CausalAttention: input [${x.shape.join(',')}] is not [B, T, ${this.dIn}]`,
      );
    if (t > this.contextLength)
      throw new ShapeMismatchError(`CausalAttention: ${t} tokens exceed contextLength ${this.contextLength}`);
    let kept: tf.Tensor3D | undefined;
    const out = tf.tidy(() => {
      const keys = this.W_key.forward(x) as tf.Tensor3D; // (B, T, dOut)
      const queries = this.W_query.forward(x) as tf.Tensor3D;
      const values = this.W_value.forward(x) as tf.Tensor3D;
      const scores = batchMatMul(queries, tf.transpose(keys, [0, 2, 1])); // (B, T, T)
      const masked = tf.add(tf.div(scores, Math.sqrt(this.dOut)), causalMask(t, t)); // -inf above the diagonal
      const weights = this.dropout.forward(tf.softmax(masked)) as tf.Tensor3D;
      if (opts.returnWeights) kept = tf.keep(weights);
      return batchMatMul(weights, values);
    });
    if (opts.returnWeights) this.lastAttentionWeights = kept;
    return out;
  }
}
