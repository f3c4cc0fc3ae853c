// One optimizer step, the only one in llmfs (pretraining, both finetunings, the demo): the batch's loss
// and gradients by parameter name (batchGrads, resident or streamed, in micro-batches when planned), a
// finite check, global-norm clipping when asked, the AdamW update, and every gradient freed.
import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.js';
import { type BatchGradsOptions, batchGrads } from './batch-grads.js';
import { clipGradNormAsync, globalGradNormAsync } from './clip-grad-norm.js';
import { NonFiniteLossError } from './errors.js';
import type { BatchLike, StepBatch, TrainableModel } from './types.js';

/** Options of {@link trainStep}. */
export interface TrainStepOptions<B extends StepBatch = BatchLike> extends BatchGradsOptions<B> {
  /** Clip the global gradient norm to this before the update. */
  clipNorm?: number;
  /** The step's index, named in a NonFiniteLossError. */
  step?: number;
}

/** What one step did: the loss before the update and the global gradient norm (before clipping). */
export interface TrainStepResult {
  loss: number;
  gradNorm: number;
}

/**
 * One optimizer step on `batch` over `model`'s trainable parameters. A non-finite loss or gradient
 * norm throws NonFiniteLossError before the weights change.
 */
export async function trainStep<B extends StepBatch = BatchLike>(
  batch: B,
  model: Pick<TrainableModel, 'forward' | 'trainableParameters'>,
  optimizer: Pick<AdamW, 'step'>,
  opts: TrainStepOptions<B> = {},
): Promise<TrainStepResult> {
  const step = opts.step ?? 0;
  const { loss, grads } = await batchGrads(batch, model, model.trainableParameters(), opts);
  try {
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(step, 'loss', loss);
    const gradNorm =
      opts.clipNorm !== undefined
        ? await clipGradNormAsync(grads, opts.clipNorm)
        : await globalGradNormAsync(grads);
    if (!Number.isFinite(gradNorm)) throw new NonFiniteLossError(step, 'gradient norm', gradNorm);
    optimizer.step(grads, { disposeGrads: true }); // frees each gradient once read
    return { loss, gradNorm };
  } finally {
    tf.dispose([...grads.values()]);
  }
}
