// Sequential (PyTorch nn.Sequential): children named "0", "1", ... applied in order, so state-dict
// names match the book's (`ff.layers.0.weight`, `trf_blocks.3.att...`).
import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/** A module with a one-tensor forward. */
export interface Layer extends Module {
  forward(x: tf.Tensor): tf.Tensor;
}

/** Applies its layers in order; layer i is registered under the name `${i}`. */
export class Sequential<L extends Layer = Layer> extends Module {
  readonly layers: L[];

  constructor(layers: L[]) {
    super();
    this.layers = layers.map((l, i) => this.registerModule(String(i), l));
  }

  /** x -> layers[n-1](...layers[0](x)); intermediates are freed. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const l of this.layers) y = l.forward(y);
      return y;
    });
  }
}
