// saveModelDirectory: writes a GPTModel as a Hugging Face GPT-2 directory (config.json + model.safetensors
// with GPT-2 names, Conv1D [in, out], `format: pt` metadata), crash-safe and tensor by tensor.
import type { GPTModel } from '@llmfs/gpt-model';
import { WeightMappingError } from './errors.js';
import { configToHf } from './model-config.js';
import type { TensorToWrite, WriteDtype } from './safetensors-writer.js';
import { gpt2FileTensors, gpt2Mapping, joinParts, transpose2d } from './weight-mapping.js';

/** Options of saveModelDirectory. */
export interface SaveModelOptions {
  /** Extra keys merged into config.json (e.g. task-specific fields). */
  extraConfig?: Record<string, unknown>;
  /** Storage dtype (default F32). */
  dtype?: WriteDtype;
}

/** Writes `model` to `dir` as config.json + model.safetensors (loads in transformers and in llmfs). */
export async function saveModelDirectory(
  dir: string,
  model: GPTModel,
  opts: SaveModelOptions = {},
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { writeSafetensors } = await import('./safetensors-file.js');
  const { writeFileAtomic } = await import('./node-files.js');
  const cfg = model.cfg;
  const params = model.stateDict();
  const mapping = gpt2Mapping(cfg);
  const known = new Set(mapping.map((e) => e.llmfs));
  for (const name of params.keys())
    if (!known.has(name))
      throw new WeightMappingError(
        `parameter "${name}" has no GPT-2 name; saveModelDirectory writes GPT-2 models only`,
      );
  const read = async (name: string): Promise<Float32Array> => {
    const v = params.get(name);
    if (!v) throw new WeightMappingError(`missing parameter "${name}"`);
    return (await v.data()) as Float32Array;
  };
  const wte = await read('tok_emb.weight');
  const head = transpose2d(await read('out_head.weight'), cfg.embDim, cfg.vocabSize); // [C, V] -> [V, C]
  const tied = head.every((x, i) => Object.is(x, wte[i]));
  const tensors = new Map<string, TensorToWrite>();
  for (const f of gpt2FileTensors(cfg)) {
    const first = f.entries[0].llmfs;
    if (first === 'out_head.weight') {
      if (!tied) tensors.set('lm_head.weight', { shape: [cfg.vocabSize, cfg.embDim], data: head });
      continue;
    }
    tensors.set(`transformer.${f.hf}`, {
      shape: f.shape,
      // c_attn: W_query | W_key | W_value side by side, GPT-2's layout
      data:
        first === 'tok_emb.weight'
          ? wte
          : async () => joinParts(f, await Promise.all(f.entries.map((e) => read(e.llmfs)))),
    });
  }
  if (!cfg.qkvBias) {
    for (let i = 0; i < cfg.nLayers; i++)
      tensors.set(`transformer.h.${i}.attn.c_attn.bias`, {
        shape: [3 * cfg.embDim],
        data: new Float32Array(3 * cfg.embDim),
      });
  }
  await fs.mkdir(dir, { recursive: true });
  await writeSafetensors(
    path.join(dir, 'model.safetensors'),
    tensors,
    { format: 'pt' },
    { dtype: opts.dtype },
  );
  const config = configToHf(cfg, { tied, extra: opts.extraConfig });
  await writeFileAtomic(path.join(dir, 'config.json'), [
    new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'),
  ]);
}
