// convertModelDirectory (Node): OpenAI release folder <-> Hugging Face model directory, without building
// a model. Tensors stream from the source one at a time (the OpenAI output collects them for its index).
import { OutputPathError, WeightMappingError } from './errors.js';
import { configToHf, configToHparams } from './model-config.js';
import type { TensorToWrite, WriteDtype } from './safetensors-writer.js';
import type { BundleTensor } from './tf-bundle-writer.js';
import { openWeightSource } from './weight-source.js';
import { gpt2FileTensors, joinParts, transpose2d, type FileTensor } from './weight-mapping.js';

/** Options of convertModelDirectory. */
export interface ConvertOptions {
  /** Output layout (default: the other one). */
  format?: 'hf' | 'openai';
  /** safetensors storage dtype for "hf" (default F32). */
  dtype?: WriteDtype;
}

/** Converts the model in `src` to `dst` (created); returns the output format. */
export async function convertModelDirectory(
  src: string,
  dst: string,
  opts: ConvertOptions = {},
): Promise<'hf' | 'openai'> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { writeFileAtomic, realPathOf } = await import('./node-files.js');
  // Writing into the source would replace the very files being read (F32 weights by F16 ones).
  const [srcReal, dstReal] = [await realPathOf(src), await realPathOf(dst)];
  if (dstReal === srcReal || dstReal.startsWith(srcReal + path.sep))
    throw new OutputPathError(
      `${dst}: ${dstReal === srcReal ? 'is' : 'is inside'} the source folder ${src}; give another output folder`,
    );
  const source = await openWeightSource(src);
  const format = opts.format ?? (source.format === 'hf' ? 'openai' : 'hf');
  const text = (o: unknown) => [new TextEncoder().encode(JSON.stringify(o, null, 2) + '\n')];
  try {
    await fs.mkdir(dst, { recursive: true });
    const { cfg } = source;
    // c_attn comes back whole: W_query | W_key | W_value side by side
    const readWhole = async (f: FileTensor) =>
      joinParts(f, await Promise.all(f.entries.map(async (e) => (await source.read(e)).data)));
    if (format === 'hf') {
      const { writeSafetensors } = await import('./safetensors-file.js');
      const tensors = new Map<string, TensorToWrite>();
      for (const f of gpt2FileTensors(cfg)) {
        const e = f.entries[0];
        if (e.llmfs === 'out_head.weight') {
          if (!source.tied) {
            tensors.set('lm_head.weight', {
              shape: [cfg.vocabSize, cfg.embDim],
              data: async () => transpose2d((await source.read(e)).data, cfg.embDim, cfg.vocabSize),
            });
          }
          continue;
        }
        tensors.set(`transformer.${f.hf}`, { shape: f.shape, data: () => readWhole(f) });
      }
      if (!cfg.qkvBias)
        for (let i = 0; i < cfg.nLayers; i++)
          tensors.set(`transformer.h.${i}.attn.c_attn.bias`, {
            shape: [3 * cfg.embDim],
            data: new Float32Array(3 * cfg.embDim),
          });
      await writeSafetensors(
        path.join(dst, 'model.safetensors'),
        tensors,
        { format: 'pt' },
        { dtype: opts.dtype },
      );
      await writeFileAtomic(path.join(dst, 'config.json'), text(configToHf(cfg, { tied: source.tied })));
    } else {
      if (!source.tied)
        throw new WeightMappingError(
          `${src}: the output head is not tied to wte; the OpenAI layout cannot hold it`,
        );
      const { writeTfCheckpoint } = await import('./tf-bundle-writer.js');
      const tensors = new Map<string, BundleTensor>();
      for (const f of gpt2FileTensors(cfg)) {
        if (f.entries[0].llmfs === 'out_head.weight') continue;
        tensors.set(f.openai, {
          shape: f.openaiTransform === 'squeeze0' ? [1, ...f.shape] : f.shape,
          data: await readWhole(f),
        });
      }
      if (!cfg.qkvBias)
        for (let i = 0; i < cfg.nLayers; i++)
          tensors.set(`model/h${i}/attn/c_attn/b`, {
            shape: [3 * cfg.embDim],
            data: new Float32Array(3 * cfg.embDim),
          });
      await writeTfCheckpoint(path.join(dst, 'model.ckpt'), tensors);
      await writeFileAtomic(path.join(dst, 'hparams.json'), text(configToHparams(cfg)));
      await writeFileAtomic(path.join(dst, 'checkpoint'), [
        new TextEncoder().encode(
          'model_checkpoint_path: "model.ckpt"\nall_model_checkpoint_paths: "model.ckpt"\n',
        ),
      ]);
    }
    // Tokenizer files travel along when the source has them.
    for (const f of ['encoder.json', 'vocab.bpe', 'vocab.json', 'merges.txt', 'tokenizer.json']) {
      await fs.copyFile(path.join(src, f), path.join(dst, f)).catch(() => undefined);
    }
    return format;
  } finally {
    await source.close();
  }
}
