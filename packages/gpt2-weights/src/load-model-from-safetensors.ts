// Browser-safe loading: a config.json object plus model.safetensors as a File/Blob or bytes -> GPTModel
// (no node:fs; tensors are read range by range from the Blob).
import type { GPTConfig } from '@llmfs/gpt-model';
import { blobSource, bufferSource } from './byte-source.js';
import { loadWeightsIntoGpt, type LoadedModel } from './load-model-directory.js';
import { configFromHf } from './model-config.js';
import { SafetensorsReader } from './safetensors-reader.js';
import { hfSource } from './weight-source.js';
import { GPTModel } from '@llmfs/gpt-model';

/** Loads a Hugging Face GPT-2 model from its config.json (object or text) and safetensors weights. */
export async function loadModelFromSafetensors(
  config: Record<string, any> | string,
  weights: Blob | Uint8Array,
  opts: { name?: string; cfgOverrides?: Partial<GPTConfig> } = {},
): Promise<LoadedModel> {
  const name = opts.name ?? 'model.safetensors';
  const json = typeof config === 'string' ? JSON.parse(config) : config;
  const cfg0 = configFromHf(json, 'config.json');
  const reader = await SafetensorsReader.open(
    weights instanceof Uint8Array ? bufferSource(weights, name) : blobSource(weights, name),
  );
  try {
    const source = hfSource(name, json, cfg0, reader);
    const cfg = { ...cfg0, ...opts.cfgOverrides };
    const model = new GPTModel(cfg);
    try {
      await loadWeightsIntoGpt(model, source);
    } catch (err) {
      model.dispose();
      throw err;
    }
    model.eval();
    return { model, cfg, config: json, format: 'hf' };
  } finally {
    await reader.close();
  }
}
