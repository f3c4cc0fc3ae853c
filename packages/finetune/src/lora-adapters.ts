// Appendix E: LoRA adapters live apart from the base weights: adapter_model.safetensors (llmfs names,
// e.g. `trf_blocks.0.att.W_key.lora.A`) + adapter_config.json (rank, alpha). Loading wraps the model
// and fills the adapters; mergeLora then folds them into the base weights. Files written when q|k|v was
// one fused Linear (`att.qkv.lora.0.A` .. `lora.2.B`, one adapter per part) load under the new names.
import * as tf from '@tensorflow/tfjs';
import type { Module } from '@llmfs/nn';
import { openSafetensorsFile, writeSafetensors, type TensorToWrite } from '@llmfs/gpt2-weights';
import { ModelSetupError } from './errors.js';
import { findLoraLayers, mergeLora, replaceLinearWithLora } from './replace-linear-with-lora.js';

/** File names of a saved adapter. */
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

/** adapter_config.json (PEFT-like keys `r`, `lora_alpha`, `peft_type`). */
export interface AdapterConfig {
  peft_type: 'LORA';
  r: number;
  lora_alpha: number;
  target_modules: string[];
  /** llmfs adapter names. */
  format: 'llmfs';
}

/** The adapter parameters of a LoRA-wrapped model (names containing `.lora.`). */
export function loraStateDict(model: Module): Map<string, tf.Variable> {
  return new Map(model.namedParameters().filter(([n]) => /(^|\.)lora\./.test(n)));
}

/** Writes the model's adapters (only) to `dir`. */
export async function saveLoraAdapters(dir: string, model: Module): Promise<AdapterConfig> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const layers = findLoraLayers(model);
  if (layers.length === 0)
    throw new ModelSetupError(
      'saveLoraAdapters: the model has no LoRA layers (call replaceLinearWithLora first)',
    );
  const { rank, alpha } = layers[0][1];
  const config: AdapterConfig = {
    peft_type: 'LORA',
    r: rank,
    lora_alpha: alpha,
    target_modules: layers.map(([n]) => n),
    format: 'llmfs',
  };
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, v] of loraStateDict(model))
    tensors.set(name, { shape: v.shape, data: async () => (await v.data()) as Float32Array });
  await fs.mkdir(dir, { recursive: true });
  await writeSafetensors(path.join(dir, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  await fs.writeFile(path.join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
  return config;
}

/** An adapter name of the fused-q|k|v era (`att.qkv.lora.<part>.A`) under the book's names. */
function currentAdapterName(name: string): string {
  const m = /^(.*\.att\.)qkv\.lora\.([012])\.(A|B)$/.exec(name);
  return m ? `${m[1]}${['W_query', 'W_key', 'W_value'][Number(m[2])]}.lora.${m[3]}` : name;
}

/** True when `dir` holds an adapter_config.json. */
export async function hasLoraAdapters(dir: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  return fs.stat(path.join(dir, ADAPTER_CONFIG_FILE)).then(
    () => true,
    () => false,
  );
}

/** Wraps `model` with LoRA layers of the saved rank/alpha and loads the adapters; merges them when asked. */
export async function loadLoraAdapters<M extends Module>(
  dir: string,
  model: M,
  opts: { merge?: boolean } = {},
): Promise<M> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const cfgPath = path.join(dir, ADAPTER_CONFIG_FILE);
  const config = JSON.parse(await fs.readFile(cfgPath, 'utf8')) as AdapterConfig;
  if (!Number.isInteger(config.r) || config.r < 1 || typeof config.lora_alpha !== 'number') {
    throw new ModelSetupError(`${cfgPath}: "r" must be a positive integer and "lora_alpha" a number`);
  }
  replaceLinearWithLora(model, config.r, config.lora_alpha);
  const want = loraStateDict(model);
  const reader = await openSafetensorsFile(path.join(dir, ADAPTER_WEIGHTS_FILE));
  try {
    const fileName = new Map(reader.names().map((n) => [currentAdapterName(n), n]));
    for (const [n, stored] of fileName)
      if (!want.has(n))
        throw new ModelSetupError(`${ADAPTER_WEIGHTS_FILE}: unexpected adapter tensor '${stored}'`);
    for (const [n, v] of want) {
      const stored = fileName.get(n);
      if (!stored) throw new ModelSetupError(`${ADAPTER_WEIGHTS_FILE}: missing adapter tensor '${n}'`);
      const t = await reader.tensor(stored);
      if (t.shape.join(',') !== v.shape.join(','))
        throw new ModelSetupError(
          `${ADAPTER_WEIGHTS_FILE}: '${n}' is [${t.shape}], the model expects [${v.shape}]`,
        );
      const value = tf.tensor(t.data, t.shape, 'float32');
      v.assign(value);
      value.dispose();
    }
  } finally {
    await reader.close();
  }
  if (opts.merge) mergeLora(model);
  return model;
}
