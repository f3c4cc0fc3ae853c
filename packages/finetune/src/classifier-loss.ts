// Chapter 6.6: loss and accuracy of a classifier use the logits of the last token only.
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import { crossEntropy } from '@llmfs/trainer';
import type { LabelBatch } from './batch.js';

/**
 * Logits of the last position: ids [B, T] -> [B, numClasses]. Runs the model's own parts (embeddings,
 * blocks, final_norm, out_head) rather than GPTModel.forward, whose output shape assumes a vocabulary
 * head; the book's model(input)[:, -1, :] computes the same numbers.
 */
export function lastTokenLogits(model: GPTModel, inputs: Int32Array, batchSize: number, seqLen: number): tf.Tensor2D {
  return tf.tidy(() => {
    const ids = tf.tensor2d(inputs, [batchSize, seqLen], 'int32');
    model.checkIds(ids);
    const c = model.cfg.embDim;
    const tok = model.tok_emb.forward(ids); // (B, T, C)
    const pos = tf.slice(model.pos_emb.weight, [0, 0], [seqLen, c]); // (T, C)
    let x = model.drop_emb.forward(tf.add(tok, pos)) as tf.Tensor3D;
    for (const block of model.trf_blocks.layers) x = block.forward(x);
    const last = tf.reshape(tf.slice(x, [0, seqLen - 1, 0], [batchSize, 1, c]), [batchSize, c]); // (B, T, C) -> (B, C)
    return model.out_head.forward(model.final_norm.forward(last)) as tf.Tensor2D; // (B, numClasses)
  });
}

/** The book's ch06 calc_loss_batch: cross-entropy of the last token's logits against the labels. */
export function calcClassifierLossBatch(batch: LabelBatch, model: GPTModel): tf.Scalar {
  return tf.tidy(() => crossEntropy(lastTokenLogits(model, batch.inputs, batch.batchSize, batch.seqLen), tf.tensor1d(batch.labels, 'int32')));
}

/** The book's ch06 calc_loss_loader: mean batch loss over the first numBatches batches (NaN if empty). */
export async function calcClassifierLossLoader(loader: Iterable<LabelBatch> & { length: number }, model: GPTModel, numBatches?: number): Promise<number> {
  if (loader.length === 0) return NaN;
  const n = Math.min(numBatches ?? loader.length, loader.length);
  let total = 0;
  let i = 0;
  for (const batch of loader) {
    if (i++ >= n) break;
    const loss = calcClassifierLossBatch(batch, model);
    total += (await loss.data())[0];
    loss.dispose();
  }
  return total / n;
}

/** The book's calc_accuracy_loader: share of correct argmax predictions over the first numBatches batches. */
export async function calcAccuracyLoader(loader: Iterable<LabelBatch> & { length: number }, model: GPTModel, numBatches?: number): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  const n = Math.min(numBatches ?? loader.length, loader.length);
  let correct = 0;
  let seen = 0;
  let i = 0;
  try {
    for (const batch of loader) {
      if (i++ >= n) break;
      const pred = tf.tidy(() => tf.argMax(lastTokenLogits(model, batch.inputs, batch.batchSize, batch.seqLen), 1));
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
