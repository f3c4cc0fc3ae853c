// Chapter 6.5: turn a GPT model into a classifier: a new out_head Linear(embDim, numClasses), then
// freeze everything except the last transformer block(s), the final norm and the head.
import { Linear, Rng } from '@llmfs/nn';
import type { GPTModel } from '@llmfs/gpt-model';
import { ModelSetupError } from './errors.js';
import { replaceModule } from './replace-module.js';

/** Which parts stay trainable (the book: the last block, final_norm, the head). */
export interface FreezeOptions {
  /** Trainable last transformer blocks (default 1; 0 = none; nLayers or more = all). */
  trainableBlocks?: number;
  /** Train final_norm (default true). */
  trainFinalNorm?: boolean;
  /** Train everything (overrides the two above). */
  trainAll?: boolean;
}

/** Replaces `model.out_head` by Linear(embDim, numClasses) with a bias, as `model.out_head = nn.Linear(...)`. */
export function addClassificationHead(
  model: GPTModel,
  numClasses: number,
  opts: { seed?: number } = {},
): GPTModel {
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new ModelSetupError(`numClasses must be an integer >= 2, got ${numClasses}`);
  const old = model.out_head;
  const head = new Linear(model.cfg.embDim, numClasses, { rng: new Rng(opts.seed ?? 123) });
  replaceModule(model, 'out_head', old, head);
  old.dispose();
  return model;
}

/** Number of classes of a model's head (its output width). */
export function numClassesOf(model: GPTModel): number {
  return model.out_head.outFeatures;
}

/** The book's freezing: all frozen, then the last block(s), final_norm and out_head trainable. */
export function freezeForClassification(model: GPTModel, opts: FreezeOptions = {}): GPTModel {
  if (opts.trainAll) return model.setTrainable(true);
  model.setTrainable(false);
  const blocks = model.trf_blocks.layers;
  const k = Math.min(opts.trainableBlocks ?? 1, blocks.length);
  for (let i = blocks.length - k; i < blocks.length; i++) blocks[i].setTrainable(true);
  if (opts.trainFinalNorm ?? true) model.final_norm.setTrainable(true);
  model.out_head.setTrainable(true);
  return model;
}
