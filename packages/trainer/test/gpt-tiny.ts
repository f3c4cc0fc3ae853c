// Test-only loader of the gpt-tiny fixture: a minimal safetensors parse (8-byte LE header length,
// JSON header, raw little-endian F32 data) and the HF GPT-2 -> llmfs name mapping. The real loader
// lives in @llmfs/gpt2-weights; this copy (of gpt-model's test helper) lets trainer check its loss on its own.
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fixturePath } from '@llmfs/testing';
import { GPTModel } from '@llmfs/gpt-model';
import type { GPTConfig } from '@llmfs/gpt-model';

export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

export function readSafetensorsF32(file: string): Map<string, RawTensor> {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const out = new Map<string, RawTensor>();
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (h.dtype !== 'F32') throw new Error(`${file}: ${name} is ${h.dtype}, expected F32`);
    const [s, e] = h.data_offsets;
    const bytes = buf.subarray(base + s, base + e);
    const data = new Float32Array(bytes.length / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
    out.set(name, { shape: h.shape, data });
  }
  return out;
}

export const GPT_TINY_CFG: GPTConfig = {
  vocabSize: 50257,
  contextLength: 32,
  embDim: 32,
  nHeads: 4,
  nLayers: 2,
  dropRate: 0,
  qkvBias: true,
};

/** gpt-tiny as a GPTModel (eval mode), loaded from fixtures/gpt-tiny/hf/model.safetensors. */
export function loadGptTiny(): GPTModel {
  const hf = readSafetensorsF32(fixturePath('gpt-tiny', 'hf', 'model.safetensors'));
  const t = (name: string) => {
    const r = hf.get(`transformer.${name}`);
    if (!r) throw new Error(`gpt-tiny: missing ${name}`);
    return tf.tensor(r.data, r.shape);
  };
  const sd = new Map<string, tf.Tensor>();
  sd.set('tok_emb.weight', t('wte.weight'));
  sd.set('pos_emb.weight', t('wpe.weight'));
  for (let i = 0; i < GPT_TINY_CFG.nLayers; i++) {
    const p = `trf_blocks.${i}.`;
    const h = `h.${i}.`;
    sd.set(p + 'norm1.scale', t(h + 'ln_1.weight'));
    sd.set(p + 'norm1.shift', t(h + 'ln_1.bias'));
    sd.set(p + 'att.qkv.weight', t(h + 'attn.c_attn.weight'));
    sd.set(p + 'att.qkv.bias', t(h + 'attn.c_attn.bias'));
    sd.set(p + 'att.out_proj.weight', t(h + 'attn.c_proj.weight'));
    sd.set(p + 'att.out_proj.bias', t(h + 'attn.c_proj.bias'));
    sd.set(p + 'norm2.scale', t(h + 'ln_2.weight'));
    sd.set(p + 'norm2.shift', t(h + 'ln_2.bias'));
    sd.set(p + 'ff.layers.0.weight', t(h + 'mlp.c_fc.weight'));
    sd.set(p + 'ff.layers.0.bias', t(h + 'mlp.c_fc.bias'));
    sd.set(p + 'ff.layers.2.weight', t(h + 'mlp.c_proj.weight'));
    sd.set(p + 'ff.layers.2.bias', t(h + 'mlp.c_proj.bias'));
  }
  sd.set('final_norm.scale', t('ln_f.weight'));
  sd.set('final_norm.shift', t('ln_f.bias'));
  sd.set('out_head.weight', tf.transpose(sd.get('tok_emb.weight')!)); // tied head: wte^T [C, V]
  const model = new GPTModel(GPT_TINY_CFG);
  model.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return model.eval();
}
