// Appendix E.4: LoRALayer, the low-rank update (alpha / rank) * x A B added to a frozen Linear.
import * as tf from '@tensorflow/tfjs';
import { Module, Rng, matMul2d, uniformTensor } from '@llmfs/nn';

/** Options of LoRALayer. */
export interface LoRALayerOptions {
  /** Generator for A's init (default Rng(123)). */
  rng?: Rng;
}

/**
 * The book's LoRALayer(in_dim, out_dim, rank, alpha): A [in, rank] kaiming-uniform with a = sqrt(5)
 * (PyTorch takes fan_in = A.shape[1] = rank, so A ~ U(-1/sqrt(rank), 1/sqrt(rank))), B [rank, out]
 * zeros, so a fresh adapter changes nothing; forward = (alpha / rank) * (x @ A @ B).
 */
export class LoRALayer extends Module {
  /** [inDim, rank] */
  readonly A: tf.Variable;
  /** [rank, outDim] */
  readonly B: tf.Variable;
  readonly scaling: number;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    readonly rank: number,
    readonly alpha: number,
    opts: LoRALayerOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(123);
    // kaiming_uniform_(a=sqrt(5)): gain = sqrt(2 / (1 + 5)), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(rank)
    this.A = this.registerParameter('A', uniformTensor([inDim, rank], 1 / Math.sqrt(rank), rng));
    this.B = this.registerParameter('B', tf.zeros([rank, outDim]));
    this.scaling = alpha / rank;
  }

  /** x [..., in] -> [..., out] */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const x2 = tf.reshape(x, [-1, this.inDim]) as tf.Tensor2D; // (..., in) -> (N, in)
      const y = matMul2d(matMul2d(x2, this.A as tf.Tensor2D), this.B as tf.Tensor2D); // (N, rank) -> (N, out)
      return tf.reshape(tf.mul(y, this.scaling), [...lead, this.outDim]); // (N, out) -> (..., out)
    });
  }

  /** The dense update (alpha / rank) * A @ B, [in, out] (for merging into the base weight). */
  delta(): tf.Tensor2D {
    return tf.tidy(
      () => tf.mul(matMul2d(this.A as tf.Tensor2D, this.B as tf.Tensor2D), this.scaling) as tf.Tensor2D,
    );
  }
}
