// Embedding (PyTorch nn.Embedding): a gather whose gradient is a scatterND, because wasm lacks the
// UnsortedSegmentSum kernel tf.gather's own gradient needs (docs/platform-notes.md).
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from './errors.js';
import { gatherRows } from './gather-rows.js';
import { Module } from './module.js';
import { initSkipped } from './parameter-placement.js';
import { DEFAULT_RNG_SEED, Rng } from './rng.js';
import { needsVocabShards, shardedEmbeddingLookup, useVocabShards } from './vocab-shards.js';

/** Tensor of `shape` filled with N(0, std) from `rng`. */
export function normalTensor(shape: number[], std: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (initSkipped()) return tf.zeros(shape, 'float32');
  return tf.tensor(rng.fillNormal(new Float32Array(n), 0, std), shape, 'float32');
}

/** Row lookup of a [num, dim] matrix; `gatherRows(weight, ids)` for any int32 ids, trainable on every backend. */
export function embeddingLookup(weight: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const flat = tf.reshape(ids, [-1]); // (...) -> (N,)
    const rows = gatherRows(weight, flat); // (N, dim)
    return tf.reshape(rows, [...ids.shape, weight.shape[1]]); // (N, dim) -> (..., dim)
  });
}

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /** Generator for the init (default: a fresh Rng(123)). */
  rng?: Rng;
}

/** Lookup table [num, dim], init N(0, 1) as PyTorch. */
export class Embedding extends Module {
  /** [numEmbeddings, embeddingDim] */
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    const rng = opts.rng ?? new Rng(DEFAULT_RNG_SEED);
    this.weight = this.registerParameter('weight', normalTensor([numEmbeddings, embeddingDim], 1, rng));
    useVocabShards(this.weight, 0); // over a webgpu binding limit: split by rows (the vocabulary)
  }

  /** ids int32 [...] -> [..., dim]. Ids are not range-checked here (callers check before, cheaply). */
  forward(ids: tf.Tensor): tf.Tensor {
    if (ids.dtype !== 'int32') throw new ShapeMismatchError(`Embedding: ids must be int32, got ${ids.dtype}`);
    // webgpu with a weight over the adapter's binding limit: gathered shard by shard
    if (needsVocabShards(this.weight)) return shardedEmbeddingLookup(this.weight, ids);
    return embeddingLookup(this.weight as tf.Tensor2D, ids);
  }
}
