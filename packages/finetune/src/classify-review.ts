// Chapter 6.8: classify one text with a finetuned classifier (the book's classify_review).
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import { lastTokenLogits } from './classifier-loss.js';
import { END_OF_TEXT_ID, type TextTokenizer } from './tokenizer.js';

/** A prediction: the class index, its name when known, its softmax probability, and all of them. */
export interface Classification {
  label: number;
  name?: string;
  probability: number;
  probabilities: number[];
}

/**
 * The book's classify_review: encode, truncate to min(maxLength, context length), pad with 50256 to
 * maxLength (no padding when maxLength is not given), predict from the last token's logits.
 */
export function classifyReview(
  text: string,
  model: GPTModel,
  tokenizer: TextTokenizer,
  opts: { maxLength?: number; padTokenId?: number; classes?: readonly string[] } = {},
): Classification {
  const ctx = model.cfg.contextLength;
  let ids = tokenizer.encode(text);
  const maxLength = Math.min(opts.maxLength ?? ids.length, ctx);
  ids = ids.slice(0, maxLength);
  while (ids.length < maxLength) ids.push(opts.padTokenId ?? END_OF_TEXT_ID);
  if (ids.length === 0) ids = [opts.padTokenId ?? END_OF_TEXT_ID];
  const wasTraining = model.training;
  model.eval();
  try {
    const probs = tf.tidy(() => tf.softmax(lastTokenLogits(model, Int32Array.from(ids), 1, ids.length)));
    const probabilities = Array.from(probs.dataSync());
    probs.dispose();
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    return { label, name: opts.classes?.[label], probability: probabilities[label], probabilities };
  } finally {
    model.train(wasTraining);
  }
}
