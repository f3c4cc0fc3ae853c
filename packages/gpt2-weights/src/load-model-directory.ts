// loadModelDirectory: a Hugging Face GPT-2 directory or OpenAI release folder -> a ready GPTModel (eval
// mode). Tensors are read and assigned one at a time, so peak memory stays near one model's size.
import * as tf from '@tensorflow/tfjs';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { WeightMappingError } from './errors.js';
import { openWeightSource, type WeightSource } from './weight-source.js';

/** What loadModelDirectory returns. */
export interface LoadedModel {
  model: GPTModel;
  cfg: GPTConfig;
  /** The raw config.json (or hparams.json) object. */
  config: any;
  format: 'hf' | 'openai';
}

/** Loads weights from a model directory into a new GPTModel (`seed` only affects the discarded init). */
export async function loadModelDirectory(
  dir: string,
  opts: { cfgOverrides?: Partial<GPTConfig> } = {},
): Promise<LoadedModel> {
  const source = await openWeightSource(dir);
  try {
    const cfg = { ...source.cfg, ...opts.cfgOverrides };
    const model = new GPTModel(cfg);
    try {
      await loadWeightsIntoGpt(model, source);
    } catch (err) {
      model.dispose();
      throw err;
    }
    model.eval();
    return { model, cfg, config: source.config, format: source.format };
  } finally {
    await source.close();
  }
}

/**
 * The book's `load_weights_into_gpt`: copies every parameter from `source` into `model`, checking shapes.
 * Each variable's old value is released as the new one is assigned.
 */
export async function loadWeightsIntoGpt(model: GPTModel, source: WeightSource): Promise<void> {
  const params = model.stateDict();
  const seen = new Set<string>();
  for (const e of source.mapping) {
    const v = params.get(e.llmfs);
    if (!v) throw new WeightMappingError(`the model has no parameter "${e.llmfs}" (config mismatch?)`);
    if (v.shape.length !== e.shape.length || v.shape.some((d, i) => d !== e.shape[i])) {
      throw new WeightMappingError(
        `parameter "${e.llmfs}" has shape ${JSON.stringify(v.shape)}, the weights ${JSON.stringify(e.shape)}`,
      );
    }
    if (
      e.llmfs === 'out_head.weight' &&
      source.tied &&
      params.has('tok_emb.weight') &&
      seen.has('tok_emb.weight')
    ) {
      // Tied head: transpose the loaded embedding on the backend instead of re-reading wte from disk.
      const head = tf.tidy(() => tf.transpose(params.get('tok_emb.weight')!)); // (V, C) -> (C, V)
      v.assign(head);
      head.dispose();
      seen.add(e.llmfs);
      continue;
    }
    const t = await source.read(e);
    const value = tf.tensor(t.data, t.shape, 'float32');
    v.assign(value);
    value.dispose();
    seen.add(e.llmfs);
  }
  for (const name of params.keys()) {
    if (!seen.has(name)) throw new WeightMappingError(`${source.dir}: no weights for parameter "${name}"`);
  }
}
