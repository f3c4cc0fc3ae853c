// Linear layer (PyTorch nn.Linear) with the weight stored [in, out] so matmuls stay untransposed.
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from './errors.js';
import { isRecordingGradients, matMul2d } from './mat-mul-2d.js';
import { notePackedWeight } from './release-weight-caches.js';
import { Module } from './module.js';
import { initSkipped } from './parameter-placement.js';
import { DEFAULT_RNG_SEED, Rng } from './rng.js';
import { needsVocabShards, shardedMatMul, useVocabShards } from './vocab-shards.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Generator for the init (default: a fresh Rng(123)). */
  rng?: Rng;
}

/** Tensor of `shape` filled with U(-bound, bound) from `rng`. */
export function uniformTensor(shape: number[], bound: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (initSkipped()) return tf.zeros(shape, 'float32');
  return tf.tensor(rng.fillUniform(new Float32Array(n), -bound, bound), shape, 'float32');
}

function lead(x: tf.Tensor): number[] {
  return x.shape.slice(0, -1);
}

/** y = x W + b, W [in, out]; init U(-1/sqrt(in), 1/sqrt(in)) as PyTorch. */
export class Linear extends Module {
  /** [inFeatures, outFeatures] */
  readonly weight: tf.Variable;
  /** [outFeatures] */
  readonly bias?: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformTensor([inFeatures, outFeatures], bound, rng));
    useVocabShards(this.weight, 1); // over a webgpu binding limit: split by output columns (the vocabulary)
    if (opts.bias ?? true)
      this.bias = this.registerParameter('bias', uniformTensor([outFeatures], bound, rng));
  }

  /** x [..., in] -> [..., out]; multiplied as 2-D [N, in] x [in, out]. */
  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeMismatchError(`Linear: input [${x.shape.join(',')}] does not end in ${this.inFeatures}`);
    }
    if (needsVocabShards(this.weight)) {
      // webgpu with a weight over the adapter's binding limit (GPT-2's head): multiplied shard by shard
      return tf.tidy(() => {
        const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures])) as tf.Tensor2D; // (..., in) -> (N, in)
        const y = shardedMatMul(x2, this.weight, this.bias);
        return x.rank === 2 ? y : tf.reshape(y, [...lead(x), this.outFeatures]); // (N, out) -> (..., out)
      });
    }
    if (!isRecordingGradients() && tf.getBackend() === 'wasm' && x.dtype === 'float32') {
      // Inference on wasm: a direct fused kernel call on [1, N, in] x [1, in, out] (+ bias). A reshape
      // keeps the weight's data id, so XNNPACK's packed-weight cache (keyed by it) is reused across calls;
      // no view is cached, so a reassigned weight frees its old data at once.
      return tf.tidy(() => {
        const a3 = x.rank === 3 && x.shape[0] === 1 ? x : tf.reshape(x, [1, -1, this.inFeatures]); // (..., in) -> (1, N, in)
        const inputs: tf.NamedTensorMap = {
          a: a3,
          b: tf.reshape(this.weight, [1, this.inFeatures, this.outFeatures]),
        };
        if (this.bias) inputs.bias = this.bias;
        notePackedWeight(this.weight); // Module.train() releases the packed copy when training resumes
        const attrs = { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 };
        const y = tf
          .engine()
          .runKernel('_FusedMatMul', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return a3 === x ? y : tf.reshape(y, [...lead(x), this.outFeatures]); // (1, N, out) -> (..., out)
      });
    }
    return tf.tidy(() => {
      const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures])) as tf.Tensor2D; // (..., in) -> (N, in)
      let y: tf.Tensor;
      if (isRecordingGradients()) {
        y = matMul2d(x2, this.weight as tf.Tensor2D);
        if (this.bias) y = tf.add(y, this.bias);
      } else {
        // Inference: one fused kernel (its own gradient would use transposed products, so not when taping).
        y = tf.fused.matMul({ a: x2, b: this.weight as tf.Tensor2D, bias: this.bias });
      }
      return x.rank === 2 ? y : tf.reshape(y, [...lead(x), this.outFeatures]); // (N, out) -> (..., out)
    });
  }
}
