// Model directories: save -> load is bit-identical and a valid Hugging Face GPT-2 directory; convert
// between the OpenAI folder and a model directory both ways; an F16 copy agrees within F16 rounding;
// missing, misshapen and unexpected tensors, pickles and bad configs give typed errors naming the culprit.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { fixturePath, makeTempDir } from '@llmfs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelDirectory } from './convert-model-directory.js';
import { SafetensorsError, WeightMappingError } from './errors.js';
import { loadModelDirectory } from './load-model-directory.js';
import { configFromHf } from './model-config.js';
import { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
import { saveModelDirectory } from './save-model-directory.js';
import { hfStateToLlmfs, llmfsStateToHf, type NamedTensor } from './weight-mapping.js';
import { readSafetensors } from './safetensors-reader.js';
import { loadModelFromSafetensors } from './load-model-from-safetensors.js';

const tmp = makeTempDir('llmfs-md-');
afterAll(tmp.cleanup);
const HF = fixturePath('gpt-tiny', 'hf');
const OA = fixturePath('gpt-tiny', 'openai');
const IDS = [[6109, 3626, 6100, 345, 1, 2, 50256]];

async function logitsOf(dir: string): Promise<Float32Array> {
  const { model } = await loadModelDirectory(dir);
  const ids = tf.tensor2d(IDS, undefined, 'int32');
  const out = model.forward(ids);
  const data = (await out.data()) as Float32Array;
  tf.dispose([ids, out]);
  model.dispose();
  return data;
}

async function stateOf(model: GPTModel): Promise<Map<string, Float32Array>> {
  const m = new Map<string, Float32Array>();
  for (const [k, v] of model.stateDict()) m.set(k, (await v.data()) as Float32Array);
  return m;
}

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('saveModelDirectory / loadModelDirectory', () => {
  it('an untied random model saves and loads back bit-identically, as a valid HF GPT-2 directory', async () => {
    const cfg = {
      vocabSize: 300,
      contextLength: 16,
      embDim: 16,
      nHeads: 2,
      nLayers: 2,
      dropRate: 0.1,
      qkvBias: false,
    };
    const model = new GPTModel(cfg, { seed: 5 });
    const dir = path.join(tmp.dir, 'saved');
    await saveModelDirectory(dir, model, { extraConfig: { note: 'x' } });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: 16,
      n_head: 2,
      n_layer: 2,
      n_positions: 16,
      vocab_size: 300,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: false,
      note: 'x',
      llmfs: { qkv_bias: false, drop_rate: 0.1, context_length: 16 },
    });
    const r = await openSafetensorsFile(path.join(dir, 'model.safetensors'));
    expect(r.metadata.get('format')).toBe('pt');
    const names = r.names();
    expect(names).toContain('transformer.wte.weight');
    expect(names).toContain('lm_head.weight');
    expect(r.entry('transformer.h.1.attn.c_attn.weight')!.shape).toEqual([16, 48]); // Conv1D [in, out]
    expect(r.entry('transformer.h.1.mlp.c_proj.weight')!.shape).toEqual([64, 16]);
    expect(r.entry('lm_head.weight')!.shape).toEqual([300, 16]);
    expect(Array.from((await r.tensor('transformer.h.0.attn.c_attn.bias')).data).every((x) => x === 0)).toBe(
      true,
    ); // qkv_bias false
    await r.close();
    const loaded = await loadModelDirectory(dir);
    expect(loaded.cfg).toEqual(cfg);
    const a = await stateOf(model);
    const b = await stateOf(loaded.model);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [k, v] of a) expect(Buffer.from(b.get(k)!.buffer).equals(Buffer.from(v.buffer)), k).toBe(true);
    model.dispose();
    loaded.model.dispose();
  });

  it('a tied model is written without lm_head and tie_word_embeddings true', async () => {
    const { model } = await loadModelDirectory(HF);
    const dir = path.join(tmp.dir, 'tied');
    await saveModelDirectory(dir, model);
    model.dispose();
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(cfg.tie_word_embeddings).toBe(true);
    const r = await openSafetensorsFile(path.join(dir, 'model.safetensors'));
    expect(r.names()).not.toContain('lm_head.weight');
    await r.close();
    expect(Array.from(await logitsOf(dir))).toEqual(Array.from(await logitsOf(HF)));
  });
});

describe('the file format is unchanged by the book names W_query, W_key, W_value', () => {
  it('gpt-tiny loaded and saved gives the bytes the fused-qkv code wrote', async () => {
    const { createHash } = await import('node:crypto');
    const { model } = await loadModelDirectory(HF);
    const dir = path.join(tmp.dir, 'gpt-tiny-resaved');
    await saveModelDirectory(dir, model);
    model.dispose();
    const sha = (f: string) =>
      createHash('sha256')
        .update(fs.readFileSync(path.join(dir, f)))
        .digest('hex');
    // written by the code before the change (one fused att.qkv Linear), commit c40e8e7
    expect(sha('model.safetensors')).toBe('e41958dee77232b518f0f84ec2d4f3447a25c82bd777a7922dfcbb3d5bb2265f');
    expect(sha('config.json')).toBe('768380698f245acb4acf02616c17dfe66fb5f09ed964ede486c4b0884fd2d80d');
  });
});

describe('browser-style loading', () => {
  it('config.json + model.safetensors as a Blob give the same logits as the directory', async () => {
    const bytes = fs.readFileSync(path.join(HF, 'model.safetensors'));
    const { model } = await loadModelFromSafetensors(
      fs.readFileSync(path.join(HF, 'config.json'), 'utf8'),
      new Blob([new Uint8Array(bytes).buffer as ArrayBuffer]),
    );
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const out = model.forward(ids);
    expect(Array.from(await out.data())).toEqual(Array.from(await logitsOf(HF)));
    tf.dispose([ids, out]);
    model.dispose();
  });
});

describe('convert and equivalence', () => {
  it('OpenAI folder -> HF dir -> OpenAI folder: identical logits everywhere', async () => {
    const hfDir = path.join(tmp.dir, 'from-openai');
    const oaDir = path.join(tmp.dir, 'back-to-openai');
    expect(await convertModelDirectory(OA, hfDir)).toBe('hf');
    expect(await convertModelDirectory(hfDir, oaDir)).toBe('openai');
    expect(fs.existsSync(path.join(oaDir, 'encoder.json'))).toBe(true);
    const ref = await logitsOf(OA);
    expect(Array.from(await logitsOf(hfDir))).toEqual(Array.from(ref));
    expect(Array.from(await logitsOf(oaDir))).toEqual(Array.from(ref));
    // the converted safetensors carries the same tensors as the fixture's HF directory
    const a = readSafetensors(new Uint8Array(fs.readFileSync(path.join(hfDir, 'model.safetensors'))));
    const b = readSafetensors(new Uint8Array(fs.readFileSync(path.join(HF, 'model.safetensors'))));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [k, t] of b) expect(Array.from(a.get(k)!.data), k).toEqual(Array.from(t.data));
  });

  it('an F16 copy gives logits within F16 rounding of the F32 one', async () => {
    const dir = path.join(tmp.dir, 'f16');
    await convertModelDirectory(HF, dir, { format: 'hf', dtype: 'F16' });
    const r = await openSafetensorsFile(path.join(dir, 'model.safetensors'));
    expect(r.entry('transformer.wte.weight')!.dtype).toBe('F16');
    // each weight within half an F16 ulp (relative 2^-11) of the F32 value
    const f32 = readSafetensors(new Uint8Array(fs.readFileSync(path.join(HF, 'model.safetensors'))));
    for (const name of r.names()) {
      const h = (await r.tensor(name)).data;
      const f = f32.get(name)!.data;
      let bad = 0;
      for (let i = 0; i < f.length; i++)
        if (!(Math.abs(h[i] - f[i]) <= Math.max(Math.abs(f[i]) * 2 ** -11, 2 ** -25))) bad++;
      expect(bad, name).toBe(0);
    }
    await r.close();
    const a = await logitsOf(dir);
    const b = await logitsOf(HF);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      maxAbs = Math.max(maxAbs, Math.abs(b[i]));
    }
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(maxAbs * 2 ** -8); // a few F16 ulps after 2 layers
  });
});

describe('bad model directories', () => {
  async function hfCopyWith(
    name: string,
    edit: (t: Map<string, NamedTensor>) => void,
    configEdit?: (c: any) => void,
  ): Promise<string> {
    const dir = path.join(tmp.dir, name);
    fs.mkdirSync(dir, { recursive: true });
    const t = readSafetensors(new Uint8Array(fs.readFileSync(path.join(HF, 'model.safetensors'))));
    edit(t as Map<string, NamedTensor>);
    await writeSafetensors(
      path.join(dir, 'model.safetensors'),
      new Map([...t].map(([k, v]) => [k, { shape: v.shape, data: v.data }])),
    );
    const c = JSON.parse(fs.readFileSync(path.join(HF, 'config.json'), 'utf8'));
    configEdit?.(c);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(c));
    return dir;
  }

  it('a missing tensor is named', async () => {
    const dir = await hfCopyWith('missing', (t) => t.delete('transformer.h.1.mlp.c_fc.bias'));
    await expect(loadModelDirectory(dir)).rejects.toThrow(/missing tensor "h\.1\.mlp\.c_fc\.bias"/);
  });

  it('a misshapen tensor is named with both shapes', async () => {
    const dir = await hfCopyWith('misshapen', (t) =>
      t.set('transformer.h.0.attn.c_attn.weight', {
        shape: [96, 32],
        data: t.get('transformer.h.0.attn.c_attn.weight')!.data,
      }),
    );
    const err = await loadModelDirectory(dir).catch((e) => e);
    expect(err).toBeInstanceOf(WeightMappingError);
    expect(err.message).toMatch(
      /"transformer\.h\.0\.attn\.c_attn\.weight" has shape \[96,32\], expected \[32,96\]/,
    );
  });

  it('an extra layer (config says fewer) is an unexpected tensor', async () => {
    const dir = await hfCopyWith(
      'extra',
      () => undefined,
      (c) => (c.n_layer = 1),
    );
    await expect(loadModelDirectory(dir)).rejects.toThrow(/unexpected tensor "transformer\.h\.1\./);
  });

  it('a pickle passed as weights gets the safetensors advice', async () => {
    const dir = path.join(tmp.dir, 'pickle');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), Buffer.from([0x80, 0x02, 0x8a, 0x0a]));
    await expect(loadModelDirectory(dir)).rejects.toThrow(
      'PyTorch pickle files are not supported; use safetensors',
    );
    await expect(loadModelDirectory(path.join(dir, 'pytorch_model.bin'))).rejects.toThrow(SafetensorsError);
    const zipDir = path.join(tmp.dir, 'zip');
    fs.mkdirSync(zipDir);
    fs.copyFileSync(path.join(HF, 'config.json'), path.join(zipDir, 'config.json'));
    fs.writeFileSync(
      path.join(zipDir, 'model.safetensors'),
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0]),
    );
    await expect(loadModelDirectory(zipDir)).rejects.toThrow(
      'PyTorch pickle files are not supported; use safetensors',
    );
  });

  it('configs llmfs cannot honour are refused by key', () => {
    const base = JSON.parse(fs.readFileSync(path.join(HF, 'config.json'), 'utf8'));
    expect(() => configFromHf({ ...base, activation_function: 'relu' })).toThrow(/activation_function/);
    expect(() => configFromHf({ ...base, layer_norm_epsilon: 1e-6 })).toThrow(/layer_norm_epsilon/);
    expect(() => configFromHf({ ...base, n_head: 5 })).toThrow(/not divisible/);
    expect(() => configFromHf({ ...base, n_embd: 'x' })).toThrow(/n_embd/);
    expect(configFromHf(base)).toEqual({
      vocabSize: 50257,
      contextLength: 32,
      embDim: 32,
      nHeads: 4,
      nLayers: 2,
      dropRate: 0,
      qkvBias: true,
    });
  });

  it('in-memory mapping: HF names without the transformer. prefix, tied head = wte transposed', () => {
    const t = readSafetensors(new Uint8Array(fs.readFileSync(path.join(HF, 'model.safetensors'))));
    const bare = new Map([...t].map(([k, v]) => [k.replace(/^transformer\./, ''), v]));
    bare.set('h.0.attn.bias', { dtype: 'F32', shape: [1, 1, 32, 32], data: new Float32Array(1024) }); // mask buffer: ignored
    const cfg = { vocabSize: 50257, contextLength: 32, embDim: 32, nLayers: 2, qkvBias: true };
    const s = hfStateToLlmfs(bare, cfg);
    const wte = s.get('tok_emb.weight')!;
    const head = s.get('out_head.weight')!;
    expect(head.shape).toEqual([32, 50257]);
    expect(head.data[5 * 50257 + 123]).toBe(wte.data[123 * 32 + 5]);
    const back = llmfsStateToHf(s, cfg);
    expect(back.tied).toBe(true);
    expect(back.tensors.has('lm_head.weight')).toBe(false);
  });
});
