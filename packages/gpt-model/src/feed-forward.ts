// FeedForward (book section 4.3): Linear(C, 4C) -> GELU -> Linear(4C, C), as `layers.0/1/2`.
import type * as tf from '@tensorflow/tfjs';
import { Linear, Module, Rng, Sequential } from '@llmfs/nn';
import type { Layer } from '@llmfs/nn';
import { GELU } from './gelu.js';

/** The book's position-wise feed-forward network. */
export class FeedForward extends Module {
  readonly layers: Sequential<Layer>;

  constructor(embDim: number, opts: { rng?: Rng } = {}) {
    super();
    const rng = opts.rng ?? new Rng(123);
    this.layers = this.registerModule(
      'layers',
      new Sequential<Layer>([
        new Linear(embDim, 4 * embDim, { rng }),
        new GELU(),
        new Linear(4 * embDim, embDim, { rng }),
      ]),
    );
  }

  /** x [B, T, C] -> [B, T, C]. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.layers.forward(x);
  }
}
