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
 * The decoding loop, written once for both readbacks: it yields each next-id tensor and takes the id
 * back (read synchronously or with `await data()`), and disposes the tensor.
 */
function* greedyLoop(
  model: TrainableModel,
  ids: number[],
  contextSize: number,
  maxNewTokens: number,
): Generator<tf.Tensor, void, number> {
  for (let i = 0; i < maxNewTokens; i++) {
    const next = nextGreedy(model, ids.slice(-contextSize));
    try {
      ids.push(yield next);
    } finally {
      next.dispose();
    }
  }
}

/** Puts the model in eval mode; returns the function that restores its mode. */
function enterEval(model: TrainableModel): () => void {
  const wasTraining = model.training;
  model.eval();
  return () => model.train(wasTraining);
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
  const ids = tokenizer.encode(startContext, { allowedSpecial: ['<|endoftext|>'] });
  const restore = enterEval(model);
  try {
    const loop = greedyLoop(model, ids, contextSize, maxNewTokens);
    for (let r = loop.next(); !r.done;) r = loop.next(r.value.dataSync()[0]);
  } finally {
    restore();
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
  const ids = tokenizer.encode(startContext, { allowedSpecial: ['<|endoftext|>'] });
  const restore = enterEval(model);
  try {
    const loop = greedyLoop(model, ids, contextSize, maxNewTokens);
    for (let r = loop.next(); !r.done;) r = loop.next((await r.value.data())[0]);
  } finally {
    restore();
  }
  return tokenizer.decode(ids).replace(/\n/g, ' ');
}
