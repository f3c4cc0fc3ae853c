// MultiHeadAttentionWrapper (book section 3.6.1): numHeads independent CausalAttention heads whose
// outputs are concatenated: [B, T, numHeads * dOut].
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_RNG_SEED, Module, Rng } from '@llmfs/nn';
import { CausalAttention } from './causal-attention.js';
import type { AttentionOptions } from './self-attention-v1.js';

/** Stacks CausalAttention heads (`heads.0`, `heads.1`, ...) and concatenates their outputs. */
export class MultiHeadAttentionWrapper extends Module {
  readonly heads: CausalAttention[];

  constructor(
    readonly dIn: number,
    readonly dOut: number,
    readonly contextLength: number,
    dropout: number,
    readonly numHeads: number,
    readonly qkvBias = false,
    opts: AttentionOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    const list = this.registerModule('heads', new HeadList());
    this.heads = Array.from({ length: numHeads }, (_, i) =>
      list.registerModule(
        String(i),
        new CausalAttention(dIn, dOut, contextLength, dropout, qkvBias, { rng }),
      ),
    );
  }

  /** x [B, T, dIn] -> [B, T, numHeads * dOut]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(
      () =>
        tf.concat(
          this.heads.map((h) => h.forward(x)),
          -1,
        ) as tf.Tensor3D,
    );
  }
}

/** PyTorch's nn.ModuleList: children named by index. */
class HeadList extends Module {}
