// The structural types the trainer works with. GPTModel (@llmfs/gpt-model), Batch and DataLoader
// (@llmfs/data-loader) satisfy them; tests can pass small models of their own.
import type * as tf from '@tensorflow/tfjs';

/** One batch of token ids, row-major [batchSize, seqLen] (the data-loader's `Batch`). */
export interface BatchLike {
  inputs: Int32Array;
  targets: Int32Array;
  batchSize: number;
  seqLen: number;
}

/** What every batch has: its rows and tokens per row (inputs and targets, or inputs and labels). */
export interface StepBatch {
  batchSize: number;
  seqLen: number;
}

/** A data loader: iterable batches, a known length and a (seed, epoch)-determined order. */
export interface LoaderLike<B = BatchLike> extends Iterable<B> {
  length: number;
  batches?(opts?: { epoch?: number; startBatch?: number }): IterableIterator<B>;
}

/** The loss of one batch as a scalar (the book's calc_loss_batch). */
export type LossBatch<B> = (batch: B, model: Pick<TrainableModel, 'forward'>) => tf.Scalar;

/** What the trainer needs of a model (GPTModel has all of it). */
export interface TrainableModel {
  /** int32 ids [B, T] -> logits [B, T, V]. */
  forward(ids: tf.Tensor2D): tf.Tensor;
  /** Every parameter by its stable dot-path name. */
  namedParameters(): Array<[string, tf.Variable]>;
  /** The parameters the optimizer updates (frozen ones left out). */
  trainableParameters(): Array<[string, tf.Variable]>;
  train(mode?: boolean): unknown;
  eval(): unknown;
  training: boolean;
}

/** Text <-> ids, as the GPT-2 `Encoding` of @llmfs/bpe-tokenizer. */
export interface TokenizerLike {
  encode(text: string, opts?: { allowedSpecial?: 'all' | string[] }): number[];
  decode(ids: ArrayLike<number>): string;
}
