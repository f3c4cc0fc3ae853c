// Builds a GPTModel from config.json + model.safetensors bytes with the packages' own readers
// (readSafetensors: typed SafetensorsError for hostile files; hfStateToLlmfs: the one name mapping).
// On WebGPU every tensor is checked against the adapter's maxStorageBufferBindingSize first.
import * as tf from '@tensorflow/tfjs';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { hfStateToLlmfs, readSafetensors } from '@llmfs/gpt2-weights';
import { webgpuBindingLimit } from './backend-setup.js';
import { BindingSizeError } from './errors.js';
import type { ModelFiles } from './fetch-files.js';
import { gptConfigFromJson } from './model-config.js';

const MiB = 2 ** 20;

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
  checkBindingLimit(hf);
  // The logits [T, vocab] of a full context are the other big binding.
  checkBindingLimit([['logits', { shape: [cfg.contextLength, cfg.vocabSize] }]]);
  const state = hfStateToLlmfs(hf, cfg);
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
