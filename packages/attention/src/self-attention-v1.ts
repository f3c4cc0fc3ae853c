// SelfAttentionV1 (book section 3.4.1): trainable query/key/value matrices as raw parameters,
// scaled dot-product attention over one unbatched sequence, no mask.
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RNG_SEED, matMul2d, Module, Rng, ShapeMismatchError, uniformTensor } from '@llmfs/nn';

/** Options of the chapter 3 attention classes. */
export interface AttentionOptions {
  /** Generator for the init (and dropout masks where there is dropout); default Rng(123). */
  rng?: Rng;
}

/** softmax(Q K^T / sqrt(dOut)) V for x [T, dIn]; W_query/W_key/W_value [dIn, dOut] init U(0, 1) as torch.rand. */
export class SelfAttentionV1 extends Module {
  readonly W_query: tf.Variable;
  readonly W_key: tf.Variable;
  readonly W_value: tf.Variable;

  constructor(
    readonly dIn: number,
    readonly dOut: number,
    opts: AttentionOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    const rand = () => tf.tidy(() => tf.add(tf.mul(uniformTensor([dIn, dOut], 1, rng), 0.5), 0.5)); // U(0, 1)
    this.W_query = this.registerParameter('W_query', rand());
    this.W_key = this.registerParameter('W_key', rand());
    this.W_value = this.registerParameter('W_value', rand());
  }

  /** x [T, dIn] -> context vectors [T, dOut]. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.dIn)
      throw new ShapeMismatchError(`SelfAttentionV1: input [${x.shape.join(',')}] is not [T, ${this.dIn}]`);
    return tf.tidy(() => {
      const keys = matMul2d(x, this.W_key as tf.Tensor2D); // (T, dOut)
      const queries = matMul2d(x, this.W_query as tf.Tensor2D);
      const values = matMul2d(x, this.W_value as tf.Tensor2D);
      const scores = matMul2d(queries, tf.transpose(keys)); // (T, T)
      const weights = tf.softmax(tf.div(scores, Math.sqrt(this.dOut)));
      return matMul2d(weights as tf.Tensor2D, values);
    });
  }
}
