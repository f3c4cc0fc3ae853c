// Builds a GPTModel from config.json + model.safetensors bytes with the packages' own readers
// (readSafetensors: typed SafetensorsError for hostile files; hfStateToLlmfs: the one name mapping).
// On WebGPU the token embedding and the head may exceed the adapter's maxStorageBufferBindingSize
// (GPT-2's are 147 MiB; many adapters bind 128 MiB): @llmfs/nn splits them by vocabulary shards. Every
// other tensor is checked against the limit first (a bigger binding would read as zeros).
import * as tf from '@tensorflow/tfjs';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { hfStateToLlmfs, readSafetensors } from '@llmfs/gpt2-weights';
import { webgpuBindingLimit } from './backend-setup.js';
import { BindingSizeError } from './errors.js';
import type { ModelFiles } from './fetch-files.js';
import { gptConfigFromJson } from './model-config.js';

const MiB = 2 ** 20;

/** The parameters @llmfs/nn splits along the vocabulary when they exceed the binding limit. */
const SHARDED = new Set(['tok_emb.weight', 'out_head.weight']);

/** Throws BindingSizeError when a tensor would exceed the WebGPU binding limit (it would read as zeros). */
export function checkBindingLimit(tensors: Iterable<[string, { shape: number[] }]>, bytesPerValue = 4): void {
  const limit = webgpuBindingLimit();
  if (!limit) return;
  for (const [name, t] of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * bytesPerValue;
    if (bytes > limit) {
      throw new BindingSizeError(
        `tensor ${name} is ${(bytes / MiB).toFixed(1)} MiB, over this WebGPU adapter's maxStorageBufferBindingSize (${(limit / MiB).toFixed(0)} MiB): it would read as zeros; pick the webgl or wasm backend`,
      );
    }
  }
}

/** Reads the files and returns the model in eval mode. */
export function loadModel(files: ModelFiles): { model: GPTModel; cfg: GPTConfig } {
  const cfg = gptConfigFromJson(files.configText, files.configName);
  const hf = readSafetensors(files.weights, files.weightsName);
  const state = hfStateToLlmfs(hf, cfg);
  // generation takes the last position's logits only; losses take them in row chunks (@llmfs/trainer)
  checkBindingLimit([...state].filter(([name]) => !SHARDED.has(name)));
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, v] of state) tensors.set(name, tf.tensor(v.data, v.shape, 'float32'));
  const model = new GPTModel(cfg);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  model.eval();
  return { model, cfg };
}
