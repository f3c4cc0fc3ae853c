// Exports a model as a zipped model directory (docs/design.md "Model directories": config.json +
// model.safetensors with GPT-2 names) that `llmfs generate --model DIR` loads once unzipped.
import { zipSync, strToU8 } from 'fflate';
import type { GPTModel } from '@llmfs/gpt-model';
import { configToHf, llmfsStateToHf, serializeSafetensors } from '@llmfs/gpt2-weights';

/** Zip bytes holding `<folder>/config.json` and `<folder>/model.safetensors`. */
export async function exportModelZip(model: GPTModel, folder: string): Promise<Uint8Array> {
  const state = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of model.stateDict())
    state.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
  const { tensors, tied } = llmfsStateToHf(state, model.cfg);
  const safetensors = await serializeSafetensors(tensors, { format: 'pt' });
  const config = configToHf(model.cfg, { tied, extra: { llmfs_producer: 'llmfs demo (browser)' } });
  // Safetensors is dense float data: store it; deflate only the JSON.
  return zipSync({
    [folder]: {
      'config.json': [strToU8(JSON.stringify(config, null, 2) + '\n'), { level: 6 }],
      'model.safetensors': [safetensors, { level: 0 }],
    },
  });
}
