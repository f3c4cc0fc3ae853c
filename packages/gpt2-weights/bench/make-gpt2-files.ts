// Tool: writes a GPT-2-124M-shaped model with random weights in both layouts, for the load benchmark:
// <out>/hf (config.json + model.safetensors) and <out>/openai (hparams.json + model.ckpt.*).
// Usage: node --conditions=@llmfs/source --import tsx bench/make-gpt2-files.ts <out>
import fs from 'node:fs';
import path from 'node:path';
import {
  configToHf,
  configToHparams,
  gpt2FileTensors,
  writeSafetensors,
  type TensorToWrite,
} from '../src/index.js';
import { writeTfCheckpoint } from '../src/tf-bundle-writer.js';

const CFG = {
  vocabSize: 50257,
  contextLength: 1024,
  embDim: 768,
  nHeads: 12,
  nLayers: 12,
  dropRate: 0,
  qkvBias: true,
};

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 0.04;
  }
  return a;
}

/** Writes both layouts under `out` unless already there. */
export async function makeGpt2Files(out: string): Promise<{ hf: string; openai: string }> {
  const hf = path.join(out, 'hf');
  const openai = path.join(out, 'openai');
  const mapping = gpt2FileTensors(CFG).filter((f) => f.entries[0].llmfs !== 'out_head.weight');
  if (!fs.existsSync(path.join(hf, 'config.json'))) {
    fs.mkdirSync(hf, { recursive: true });
    const t = new Map<string, TensorToWrite>();
    mapping.forEach((f, i) =>
      t.set(`transformer.${f.hf}`, {
        shape: f.shape,
        data: () =>
          random(
            f.shape.reduce((a, b) => a * b, 1),
            i + 1,
          ),
      }),
    );
    await writeSafetensors(path.join(hf, 'model.safetensors'), t, { format: 'pt' });
    fs.writeFileSync(path.join(hf, 'config.json'), JSON.stringify(configToHf(CFG)));
  }
  if (!fs.existsSync(path.join(openai, 'hparams.json'))) {
    fs.mkdirSync(openai, { recursive: true });
    const t = new Map<string, { shape: number[]; data: Float32Array }>();
    mapping.forEach((f, i) =>
      t.set(f.openai, {
        shape: f.openaiTransform === 'squeeze0' ? [1, ...f.shape] : f.shape,
        data: random(
          f.shape.reduce((a, b) => a * b, 1),
          i + 1,
        ),
      }),
    );
    await writeTfCheckpoint(path.join(openai, 'model.ckpt'), t);
    fs.writeFileSync(path.join(openai, 'checkpoint'), 'model_checkpoint_path: "model.ckpt"\n');
    fs.writeFileSync(path.join(openai, 'hparams.json'), JSON.stringify(configToHparams(CFG)));
  }
  return { hf, openai };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  console.log(await makeGpt2Files(process.argv[2] ?? '/tmp/llmfs-bench-gpt2'));
}
