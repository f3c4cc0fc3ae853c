// Chapter 6.6: loss and accuracy of a classifier, from the logits of the last token only. The model's
// own forward pass computes them (with a classification head its outputs are the class logits); it
// runs frozen leading blocks off the gradient tape by itself, so training the last block keeps no
// activations of the eleven before it.
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import { calcLossLoader as calcLossLoaderOf, crossEntropy } from '@llmfs/trainer';
import type { BatchLoader, LabelBatch } from './batch.js';

/** Logits of the last position: ids [B, T] -> [B, numClasses] (the book's model(input)[:, -1, :]). */
export function lastTokenLogits(
  model: GPTModel,
  inputs: Int32Array,
  batchSize: number,
  seqLen: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const ids = tf.tensor2d(inputs, [batchSize, seqLen], 'int32');
    const logits = model.forward(ids, { lastOnly: true }); // (B, 1, numClasses)
    return tf.reshape(logits, [batchSize, logits.shape[2]]) as tf.Tensor2D; // -> (B, numClasses)
  });
}

/** The book's ch06 calc_loss_batch: cross-entropy of the last token's logits against the labels. */
export function calcLossBatch(batch: LabelBatch, model: GPTModel): tf.Scalar {
  return tf.tidy(() =>
    crossEntropy(
      lastTokenLogits(model, batch.inputs, batch.batchSize, batch.seqLen),
      tf.tensor1d(batch.labels, 'int32'),
    ),
  );
}

/** The book's ch06 calc_loss_loader: mean batch loss over the first numBatches batches (NaN if empty). */
export async function calcLossLoader(
  dataLoader: Iterable<LabelBatch> & { length: number },
  model: GPTModel,
  numBatches?: number,
): Promise<number> {
  return calcLossLoaderOf(dataLoader, model, numBatches, { lossBatch: (b) => calcLossBatch(b, model) });
}

/** The book's calc_accuracy_loader: share of correct argmax predictions over the first numBatches batches. */
export async function calcAccuracyLoader(
  dataLoader: Iterable<LabelBatch> & { length: number },
  model: GPTModel,
  numBatches?: number,
): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  const n = Math.min(numBatches ?? dataLoader.length, dataLoader.length);
  let correct = 0;
  let seen = 0;
  let i = 0;
  try {
    for (const batch of dataLoader) {
      if (i++ >= n) break;
      const pred = tf.tidy(() =>
        tf.argMax(lastTokenLogits(model, batch.inputs, batch.batchSize, batch.seqLen), 1),
      );
      const p = await pred.data();
      pred.dispose();
      for (let r = 0; r < batch.batchSize; r++) if (p[r] === batch.labels[r]) correct++;
      seen += batch.batchSize;
    }
  } finally {
    model.train(wasTraining);
  }
  return seen === 0 ? NaN : correct / seen;
}

/** The loader type chapter 6's functions take. */
export type LabelLoader = BatchLoader<LabelBatch>;
