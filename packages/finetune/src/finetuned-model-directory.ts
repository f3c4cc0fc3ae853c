// Chapter 7: an instruction-finetuned model is a plain GPT-2 model directory (gpt2-weights); with LoRA,
// the base weights go to model.safetensors and the adapters beside them, merged again on load.
import type { GPTModel } from '@llmfs/gpt-model';
import {
  loadModelDirectory,
  saveModelDirectory,
  type LoadedModel,
  type LoadModelOptions,
} from '@llmfs/gpt2-weights';
import { hasLoraAdapters, loadLoraAdapters, saveLoraAdapters } from './lora-adapters.js';
import { detachLora, findLoraLayers } from './replace-linear-with-lora.js';

/** Saves a (possibly LoRA-wrapped) GPT model: base weights + config, and adapters when present. */
export async function saveFinetunedModel(
  dir: string,
  model: GPTModel,
  opts: { extraConfig?: Record<string, unknown> } = {},
): Promise<void> {
  if (findLoraLayers(model).length === 0) {
    await saveModelDirectory(dir, model, opts);
    return;
  }
  const reattach = detachLora(model);
  try {
    await saveModelDirectory(dir, model, opts);
  } finally {
    reattach();
  }
  await saveLoraAdapters(dir, model);
}

/** Loads a model directory and merges LoRA adapters found beside it (eval mode). */
export async function loadFinetunedModel(
  dir: string,
  opts: Pick<LoadModelOptions, 'placement'> = {},
): Promise<LoadedModel & { adapters: boolean }> {
  const loaded = await loadModelDirectory(dir, opts);
  const adapters = await hasLoraAdapters(dir);
  if (adapters) await loadLoraAdapters(dir, loaded.model, { merge: true });
  loaded.model.eval();
  return { ...loaded, adapters };
}
