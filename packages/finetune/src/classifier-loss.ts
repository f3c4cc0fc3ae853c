// Chapter 6.6: loss and accuracy of a classifier use the logits of the last token only.
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import { crossEntropy } from '@llmfs/trainer';
import type { LabelBatch } from './batch.js';
import { trainStep, type StepOptimizer } from './train-step.js';

/** Token + position embeddings (and their dropout) of ids [B, T] -> [B, T, C]. */
export function embedTokens(model: GPTModel, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [, t] = ids.shape;
    const tok = model.tok_emb.forward(ids); // (B, T, C)
    const pos = tf.slice(model.pos_emb.weight, [0, 0], [t, model.cfg.embDim]); // (T, C)
    return model.drop_emb.forward(tf.add(tok, pos)) as tf.Tensor3D;
  });
}

/** Transformer blocks [from, to) applied to x [B, T, C]. */
export function runBlocks(model: GPTModel, x: tf.Tensor3D, from: number, to: number): tf.Tensor3D {
  return tf.tidy(() => {
    let h = x;
    for (const block of model.trf_blocks.layers.slice(from, to)) h = block.forward(h);
    return h;
  });
}

/** final_norm and the head on the last position: [B, T, C] -> [B, numClasses]. */
export function lastTokenHead(model: GPTModel, x: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const [b, t, c] = x.shape;
    const last = tf.reshape(tf.slice(x, [0, t - 1, 0], [b, 1, c]), [b, c]); // (B, T, C) -> (B, C)
    return model.out_head.forward(model.final_norm.forward(last)) as tf.Tensor2D;
  });
}

/**
 * Logits of the last position: ids [B, T] -> [B, numClasses]. Runs the model's own parts (embeddings,
 * blocks, final_norm, out_head) rather than GPTModel.forward, whose output shape assumes a vocabulary
 * head; the book's model(input)[:, -1, :] computes the same numbers.
 */
export function lastTokenLogits(
  model: GPTModel,
  inputs: Int32Array,
  batchSize: number,
  seqLen: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const ids = tf.tensor2d(inputs, [batchSize, seqLen], 'int32');
    model.checkIds(ids);
    return lastTokenHead(model, runBlocks(model, embedTokens(model, ids), 0, model.trf_blocks.layers.length));
  });
}

/**
 * Index of the first transformer block with a trainable parameter (nLayers when none), or -1 when an
 * embedding is trainable. Everything before it is frozen and needs no gradient tape.
 */
export function firstTrainableBlock(model: GPTModel): number {
  if (
    model.tok_emb.numParameters({ trainableOnly: true }) +
      model.pos_emb.numParameters({ trainableOnly: true }) >
    0
  )
    return -1;
  const blocks = model.trf_blocks.layers;
  const k = blocks.findIndex((b) => b.numParameters({ trainableOnly: true }) > 0);
  return k < 0 ? blocks.length : k;
}

/**
 * One AdamW step on a labelled batch. The frozen prefix (embeddings and the blocks before the first
 * trainable one: 11 of GPT-2 small's 12 with the book's freezing) runs outside the gradient tape, so its
 * activations are freed at once; the loss equals calcClassifierLossBatch's.
 */
export function classifierTrainStep(model: GPTModel, optimizer: StepOptimizer, batch: LabelBatch): number {
  const k = firstTrainableBlock(model);
  const ids = tf.tensor2d(batch.inputs, [batch.batchSize, batch.seqLen], 'int32');
  const labels = tf.tensor1d(batch.labels, 'int32');
  try {
    model.checkIds(ids);
    const n = model.trf_blocks.layers.length;
    const frozen = k < 0 ? undefined : tf.tidy(() => runBlocks(model, embedTokens(model, ids), 0, k));
    try {
      return trainStep(model, optimizer, () =>
        tf.tidy(() =>
          crossEntropy(
            lastTokenHead(
              model,
              frozen ? runBlocks(model, frozen, k, n) : runBlocks(model, embedTokens(model, ids), 0, n),
            ),
            labels,
          ),
        ),
      );
    } finally {
      frozen?.dispose();
    }
  } finally {
    tf.dispose([ids, labels]);
  }
}

/** The book's ch06 calc_loss_batch: cross-entropy of the last token's logits against the labels. */
export function calcClassifierLossBatch(batch: LabelBatch, model: GPTModel): tf.Scalar {
  return tf.tidy(() =>
    crossEntropy(
      lastTokenLogits(model, batch.inputs, batch.batchSize, batch.seqLen),
      tf.tensor1d(batch.labels, 'int32'),
    ),
  );
}

/** The book's ch06 calc_loss_loader: mean batch loss over the first numBatches batches (NaN if empty). */
export async function calcClassifierLossLoader(
  loader: Iterable<LabelBatch> & { length: number },
  model: GPTModel,
  numBatches?: number,
): Promise<number> {
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
export async function calcAccuracyLoader(
  loader: Iterable<LabelBatch> & { length: number },
  model: GPTModel,
  numBatches?: number,
): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  const n = Math.min(numBatches ?? loader.length, loader.length);
  let correct = 0;
  let seen = 0;
  let i = 0;
  try {
    for (const batch of loader) {
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
