// The gpt-tiny fixture without @llmfs/gpt2-weights: a minimal safetensors parse (8-byte LE header
// length, JSON header, raw little-endian F32 data) and its tensors under llmfs's state-dict names, so
// gpt-model and trainer can prove their numerics on their own. The real loader, with every header check,
// lives in @llmfs/gpt2-weights.
import fs from 'node:fs';
import { fixturePath } from './index.js';

/** A float32 tensor as plain data. */
export interface RawTensor {
  shape: number[];
  data: Float32Array;
}

/** Every F32 tensor of a (trusted, fixture) safetensors file. */
export function readSafetensorsF32(file: string): Map<string, RawTensor> {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
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

/** gpt-tiny's config in GPTConfig keys (expected.json "config"). */
export const GPT_TINY_CFG = {
  vocabSize: 50257,
  contextLength: 32,
  embDim: 32,
  nHeads: 4,
  nLayers: 2,
  dropRate: 0,
  qkvBias: true,
};

/**
 * gpt-tiny's weights (fixtures/gpt-tiny/hf) under llmfs's state-dict names (docs/design.md). The HF file
 * has no lm_head (tied), so `out_head.weight` [C, V] is wte [V, C] transposed, as the book unties it.
 */
export function gptTinyStateDict(): Map<string, RawTensor> {
  const hf = readSafetensorsF32(fixturePath('gpt-tiny', 'hf', 'model.safetensors'));
  const t = (name: string): RawTensor => {
    const r = hf.get(`transformer.${name}`);
    if (!r) throw new Error(`gpt-tiny: missing ${name}`);
    return r;
  };
  const sd = new Map<string, RawTensor>();
  sd.set('tok_emb.weight', t('wte.weight'));
  sd.set('pos_emb.weight', t('wpe.weight'));
  for (let i = 0; i < GPT_TINY_CFG.nLayers; i++) {
    const p = `trf_blocks.${i}.`;
    const h = `h.${i}.`;
    sd.set(p + 'norm1.scale', t(h + 'ln_1.weight'));
    sd.set(p + 'norm1.shift', t(h + 'ln_1.bias'));
    // c_attn is the book's W_query | W_key | W_value side by side (columns)
    const thirds = (r: RawTensor): RawTensor[] => {
      const cols = r.shape[r.shape.length - 1];
      const w = cols / 3;
      const rows = r.data.length / cols;
      return [0, 1, 2].map((part) => {
        const data = new Float32Array(rows * w);
        for (let i = 0; i < rows; i++)
          data.set(r.data.subarray(i * cols + part * w, i * cols + (part + 1) * w), i * w);
        return { ...r, shape: [...r.shape.slice(0, -1), w], data };
      });
    };
    const qkvW = thirds(t(h + 'attn.c_attn.weight'));
    const qkvB = thirds(t(h + 'attn.c_attn.bias'));
    ['W_query', 'W_key', 'W_value'].forEach((n, i) => {
      sd.set(`${p}att.${n}.weight`, qkvW[i]);
      sd.set(`${p}att.${n}.bias`, qkvB[i]);
    });
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
  const wte = t('wte.weight');
  const [v, c] = wte.shape;
  const head = new Float32Array(v * c);
  for (let i = 0; i < v; i++) for (let j = 0; j < c; j++) head[j * v + i] = wte.data[i * c + j];
  sd.set('out_head.weight', { shape: [c, v], data: head }); // (V, C) -> (C, V)
  return sd;
}

/**
 * Mean cross-entropy of row-major logits [N, V] against N targets, in float64 (the oracle for a
 * float32 loss: wasm's float32 Sum over 50257 terms alone drifts by ~1e-4).
 */
export function meanCrossEntropyF64(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  vocab: number,
): number {
  const n = targets.length;
  if (logits.length !== n * vocab)
    throw new Error(`logits: ${logits.length} values, expected ${n} x ${vocab}`);
  let total = 0;
  for (let r = 0; r < n; r++) {
    let m = -Infinity;
    for (let j = 0; j < vocab; j++) m = Math.max(m, logits[r * vocab + j]);
    let z = 0;
    for (let j = 0; j < vocab; j++) z += Math.exp(logits[r * vocab + j] - m);
    total += Math.log(z) + m - logits[r * vocab + targets[r]];
  }
  return total / n;
}
