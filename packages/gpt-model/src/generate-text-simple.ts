// generate_text_simple (book section 4.7): greedy decoding without a cache, cropping to contextSize.
import * as tf from '@tensorflow/tfjs';
import { ModelInputError } from './errors.js';
import type { GPTModel } from './gpt-model.js';
import { argmax } from './sampling.js';

/** Appends `maxNewTokens` greedy tokens to each row of `idx`; returns the rows, prompt included. */
export function generateTextSimple(
  model: GPTModel,
  idx: number[][],
  maxNewTokens: number,
  contextSize: number,
): number[][] {
  if (idx.length === 0 || idx.some((r) => r.length !== idx[0].length || r.length === 0)) {
    throw new ModelInputError('generateTextSimple: idx must be non-empty rows of equal length');
  }
  const ctx = Math.max(1, Math.min(contextSize, model.cfg.contextLength));
  const rows = idx.map((r) => [...r]);
  const v = model.cfg.vocabSize;
  for (let s = 0; s < maxNewTokens; s++) {
    const cond = rows.map((r) => r.slice(-ctx)); // crop to the supported context
    const ids = tf.tensor2d(cond, [cond.length, cond[0].length], 'int32');
    let logits: tf.Tensor;
    try {
      logits = model.forward(ids as tf.Tensor2D, { lastOnly: true }); // (B, 1, V)
    } finally {
      ids.dispose();
    }
    const data = logits.dataSync();
    logits.dispose();
    rows.forEach((r, b) => r.push(argmax(data.subarray(b * v, (b + 1) * v))));
  }
  return rows;
}
