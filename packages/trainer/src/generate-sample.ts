// The book's generate_and_print_sample: greedy continuation of a start context (ch05).
import * as tf from '@tensorflow/tfjs';
import type { TokenizerLike, TrainableModel } from './types.js';

/** The greedy next id after `ctx`, as a [1] tensor. */
function nextGreedy(model: TrainableModel, ctx: number[]): tf.Tensor {
  return tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(ctx, [1, ctx.length], 'int32')); // (1, T, V)
    const v = logits.shape[2]!;
    const last = tf.slice(tf.reshape(logits, [ctx.length, v]), [ctx.length - 1, 0], [1, v]); // (1, V)
    return tf.argMax(last, 1);
  });
}

/**
 * Greedy decoding of `maxNewTokens` after `startContext` (generate_text_simple, in eval mode);
 * returns the whole text with newlines replaced by spaces, as the book prints it.
 */
export function generateSample(
  model: TrainableModel,
  tokenizer: TokenizerLike,
  startContext: string,
  contextSize: number,
  maxNewTokens = 50,
): string {
  const wasTraining = model.training;
  model.eval();
  const ids = tokenizer.encode(startContext, { allowedSpecial: ['<|endoftext|>'] });
  try {
    for (let i = 0; i < maxNewTokens; i++) {
      const ctx = ids.slice(-contextSize);
      const next = nextGreedy(model, ctx);
      ids.push(next.dataSync()[0]);
      next.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return tokenizer.decode(ids).replace(/\n/g, ' ');
}

/** {@link generateSample} reading each id with `await data()` (no synchronous readback: webgpu). */
export async function generateSampleAsync(
  model: TrainableModel,
  tokenizer: TokenizerLike,
  startContext: string,
  contextSize: number,
  maxNewTokens = 50,
): Promise<string> {
  const wasTraining = model.training;
  model.eval();
  const ids = tokenizer.encode(startContext, { allowedSpecial: ['<|endoftext|>'] });
  try {
    for (let i = 0; i < maxNewTokens; i++) {
      const ctx = ids.slice(-contextSize);
      const next = nextGreedy(model, ctx);
      ids.push((await next.data())[0]);
      next.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return tokenizer.decode(ids).replace(/\n/g, ' ');
}
