// Appendix E.4: replace_linear_with_lora: every Linear of a model becomes a LinearWithLoRA (base
// frozen); mergeLora folds the adapters back into plain Linears (W + alpha/rank * A B).
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, Rng } from '@llmfs/nn';
import { LinearWithLoRA } from './linear-with-lora.js';
import { replaceModule } from './replace-module.js';

/** Options of replaceLinearWithLora. */
export interface ReplaceLoraOptions {
  /** Freeze every existing parameter first, as the book does (default true). */
  freezeBase?: boolean;
  /** Seed of the adapters' A init (default 123). */
  seed?: number;
}

/**
 * The book's replace_linear_with_lora(model, rank, alpha): wraps every Linear in a LinearWithLoRA.
 * Attention's W_query, W_key and W_value each get their own, as in the book. Returns the model.
 */
export function replaceLinearWithLora<M extends Module>(
  model: M,
  rank: number,
  alpha: number,
  opts: ReplaceLoraOptions = {},
): M {
  if (opts.freezeBase ?? true) model.setTrainable(false);
  const rng = new Rng(opts.seed ?? 123);
  const visit = (m: Module) => {
    for (const [name, child] of m.namedChildren()) {
      if (child instanceof Linear) {
        replaceModule(m, name, child, new LinearWithLoRA(child, rank, alpha, { rng }));
      } else if (!(child instanceof LinearWithLoRA)) visit(child);
    }
  };
  visit(model);
  return model;
}

/** Every LinearWithLoRA in the model with its dot path (e.g. `trf_blocks.0.att.W_query`). */
export function findLoraLayers(model: Module, prefix = ''): Array<[string, LinearWithLoRA]> {
  const out: Array<[string, LinearWithLoRA]> = [];
  for (const [name, child] of model.namedChildren()) {
    if (child instanceof LinearWithLoRA) out.push([prefix + name, child]);
    else out.push(...findLoraLayers(child, `${prefix}${name}.`));
  }
  return out;
}

/**
 * Folds every adapter into its base weight (W += alpha/rank * A B) and puts the plain Linear back,
 * so the model has its original names and shapes again. Adapter variables are disposed.
 */
export function mergeLora<M extends Module>(model: M, opts: { trainable?: boolean } = {}): M {
  const visit = (m: Module) => {
    for (const [name, child] of m.namedChildren()) {
      if (child instanceof LinearWithLoRA) {
        const merged = child.mergedWeight();
        child.linear.weight.assign(merged);
        merged.dispose();
        for (const l of child.loras) l.dispose();
        if (opts.trainable !== undefined) child.linear.setTrainable(opts.trainable);
        replaceModule(m, name, child, child.linear);
      } else visit(child);
    }
  };
  tf.tidy(() => visit(model));
  return model;
}

/**
 * Puts the plain base Linears back without merging (adapters kept aside) and returns a function that
 * re-attaches them: lets base-only writers (saveModelDirectory) see the original model.
 */
export function detachLora(model: Module): () => void {
  const swapped: Array<[Module, string, LinearWithLoRA]> = [];
  const visit = (m: Module) => {
    for (const [name, child] of m.namedChildren()) {
      if (child instanceof LinearWithLoRA) {
        replaceModule(m, name, child, child.linear);
        swapped.push([m, name, child]);
      } else visit(child);
    }
  };
  visit(model);
  return () => {
    for (const [m, name, wrapper] of swapped) replaceModule(m, name, wrapper.linear, wrapper);
  };
}
