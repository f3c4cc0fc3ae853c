// TransformerBlock (book section 4.5): pre-norm attention and feed-forward, each with dropout and a shortcut.
import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention } from '@llmfs/attention';
import type { KVCache } from '@llmfs/attention';
import { Dropout, Module, Rng } from '@llmfs/nn';
import { FeedForward } from './feed-forward.js';
import type { GPTConfig } from './gpt-config.js';
import { LayerNorm } from './layer-norm.js';

/** Options of `TransformerBlock.forward`. */
export interface BlockForwardOptions {
  cache?: KVCache;
  returnWeights?: boolean;
}

/** x + drop(att(norm1(x))), then x + drop(ff(norm2(x))). Names: norm1, att, ff, norm2 (as the book). */
export class TransformerBlock extends Module {
  readonly att: MultiHeadAttention;
  readonly ff: FeedForward;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly drop_shortcut: Dropout;

  constructor(cfg: GPTConfig, opts: { rng?: Rng } = {}) {
    super();
    const rng = opts.rng ?? new Rng(123);
    this.att = this.registerModule(
      'att',
      new MultiHeadAttention(
        cfg.embDim,
        cfg.embDim,
        cfg.contextLength,
        cfg.dropRate,
        cfg.nHeads,
        cfg.qkvBias,
        { rng },
      ),
    );
    this.ff = this.registerModule('ff', new FeedForward(cfg.embDim, { rng }));
    this.norm1 = this.registerModule('norm1', new LayerNorm(cfg.embDim));
    this.norm2 = this.registerModule('norm2', new LayerNorm(cfg.embDim));
    this.drop_shortcut = this.registerModule('drop_shortcut', new Dropout(cfg.dropRate, { rng }));
  }

  /** x [B, T, C] -> [B, T, C]. */
  forward(x: tf.Tensor3D, opts: BlockForwardOptions = {}): tf.Tensor3D {
    const [b, t, c] = x.shape;
    return tf.tidy(
      () => tf.reshape(this.forwardFlat(tf.reshape(x, [1, b * t, c]), b, t, opts), [b, t, c]) as tf.Tensor3D,
    );
  }

  /** Same on rows flattened to [1, B*T, C] (GPTModel keeps activations flat between blocks). */
  forwardFlat<X extends tf.Tensor>(x: X, b: number, t: number, opts: BlockForwardOptions = {}): X {
    return tf.tidy(() => {
      const a = this.att.forwardFlat(this.norm1.forward(x), b, t, opts);
      const x1 = tf.add(x, this.drop_shortcut.forward(a));
      const f = this.ff.forward(this.norm2.forward(x1));
      return tf.add(x1, this.drop_shortcut.forward(f)) as X;
    });
  }
}
