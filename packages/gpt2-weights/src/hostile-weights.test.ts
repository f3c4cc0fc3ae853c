// Weight files as a careless or hostile user hands them over: a Hugging Face checkpoint in three shards
// (intact: the same logits as the single file; one shard truncated or missing: an error naming that
// shard), NaN/Inf weights refused at load, an OpenAI folder with a cut data file or n_head 3 refused
// when opened, and convert refusing to write into its source.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { fixturePath, makeTempDir } from '@llmfs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelDirectory } from './convert-model-directory.js';
import { CheckpointError, OutputPathError, SafetensorsError, WeightMappingError } from './errors.js';
import { loadModelDirectory } from './load-model-directory.js';
import { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
import type { TensorToWrite } from './safetensors-writer.js';
import { SAFETENSORS_INDEX_FILE } from './sharded-safetensors.js';
import { openWeightSource } from './weight-source.js';

const tmp = makeTempDir('llmfs-hostile-');
afterAll(tmp.cleanup);
const HF = fixturePath('gpt-tiny', 'hf');
const OA = fixturePath('gpt-tiny', 'openai');
const IDS = [[6109, 3626, 6100, 345, 1, 2, 50256]];

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

async function logitsOf(dir: string): Promise<Float32Array> {
  const { model } = await loadModelDirectory(dir);
  const ids = tf.tensor2d(IDS, undefined, 'int32');
  const out = model.forward(ids);
  const data = (await out.data()) as Float32Array;
  tf.dispose([ids, out]);
  model.dispose();
  return data;
}

/** The fixture's model.safetensors split into `n` shard files plus the index, in `dir`. */
async function shard(dir: string, n: number): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(HF, 'config.json'), path.join(dir, 'config.json'));
  const r = await openSafetensorsFile(path.join(HF, 'model.safetensors'));
  const names = r.names();
  const files = Array.from({ length: n }, (_, i) => `model-0000${i + 1}-of-0000${n}.safetensors`);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < n; s++) {
    const part = new Map<string, TensorToWrite>();
    for (const name of names.filter((_, i) => i % n === s)) {
      const t = await r.tensor(name);
      part.set(name, { shape: t.shape, data: t.data });
      weightMap[name] = files[s];
    }
    await writeSafetensors(path.join(dir, files[s]), part, { format: 'pt' });
  }
  await r.close();
  fs.writeFileSync(
    path.join(dir, SAFETENSORS_INDEX_FILE),
    JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
  );
  return files;
}

describe('sharded Hugging Face checkpoints (model.safetensors.index.json)', () => {
  it('three intact shards load and give the single file model logits exactly', async () => {
    const dir = path.join(tmp.dir, 'sharded');
    const files = await shard(dir, 3);
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
    for (const f of files) expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThan(1000);
    const [a, b] = [await logitsOf(HF), await logitsOf(dir)];
    expect(b.length).toBe(a.length);
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });

  it('a truncated shard is a SafetensorsError naming that shard, at open', async () => {
    const dir = path.join(tmp.dir, 'cut');
    const files = await shard(dir, 3);
    const victim = path.join(dir, files[1]);
    fs.truncateSync(victim, fs.statSync(victim).size - 100);
    const err = await openWeightSource(dir).catch((e) => e);
    expect(err).toBeInstanceOf(SafetensorsError);
    expect(err.message.startsWith(`${victim}: `)).toBe(true);
    expect(err.message).not.toContain(files[0]);
  });

  it('a missing shard, a tensor absent from its shard, and a path outside the folder are typed errors', async () => {
    const dir = path.join(tmp.dir, 'broken');
    const files = await shard(dir, 3);
    fs.rmSync(path.join(dir, files[2]));
    await expect(openWeightSource(dir)).rejects.toThrow(
      `${path.join(dir, files[2])}: missing shard listed in ${SAFETENSORS_INDEX_FILE}`,
    );
    const index = JSON.parse(fs.readFileSync(path.join(dir, SAFETENSORS_INDEX_FILE), 'utf8'));
    const moved = Object.keys(index.weight_map).find((k) => index.weight_map[k] === files[1])!;
    const wrong = { ...index.weight_map, [moved]: files[0] };
    for (const [k, v] of Object.entries(wrong)) if (v === files[2]) wrong[k] = files[1];
    fs.writeFileSync(path.join(dir, SAFETENSORS_INDEX_FILE), JSON.stringify({ weight_map: wrong }));
    await expect(openWeightSource(dir)).rejects.toThrow(
      `${path.join(dir, files[0])}: no tensor "${moved}", which ${SAFETENSORS_INDEX_FILE} places there`,
    );
    fs.writeFileSync(
      path.join(dir, SAFETENSORS_INDEX_FILE),
      JSON.stringify({ weight_map: { ...wrong, [moved]: '../../etc/x.safetensors' } }),
    );
    await expect(openWeightSource(dir)).rejects.toThrow(/not a \.safetensors file name/);
    fs.writeFileSync(path.join(dir, SAFETENSORS_INDEX_FILE), '{');
    await expect(openWeightSource(dir)).rejects.toThrow(`${SAFETENSORS_INDEX_FILE}: not valid JSON`);
  });
});

describe('non-finite weights', () => {
  for (const [label, value] of [
    ['NaN', NaN],
    ['Infinity', Infinity],
  ] as const) {
    it(`a weight of ${label} is refused at load, naming file and tensor`, async () => {
      const dir = path.join(tmp.dir, `bad-${label}`);
      fs.mkdirSync(dir);
      fs.copyFileSync(path.join(HF, 'config.json'), path.join(dir, 'config.json'));
      const r = await openSafetensorsFile(path.join(HF, 'model.safetensors'));
      const out = new Map<string, TensorToWrite>();
      for (const name of r.names()) {
        const t = await r.tensor(name);
        if (name === 'transformer.h.1.mlp.c_fc.weight') t.data[37] = value;
        out.set(name, { shape: t.shape, data: t.data });
      }
      await r.close();
      const file = path.join(dir, 'model.safetensors');
      await writeSafetensors(file, out, { format: 'pt' });
      const err = await loadModelDirectory(dir).catch((e) => e);
      expect(err).toBeInstanceOf(WeightMappingError);
      expect(err.message).toBe(
        `${file}: tensor "transformer.h.1.mlp.c_fc.weight" holds ${value} at index 37; weights must be finite numbers`,
      );
    });
  }
});

describe('OpenAI folders checked when opened (what `llmfs info` reads)', () => {
  function copyOa(name: string): string {
    const dir = path.join(tmp.dir, name);
    fs.cpSync(OA, dir, { recursive: true });
    return dir;
  }

  it('a cut or empty data file is a CheckpointError naming it', async () => {
    for (const size of [1000, 0]) {
      const dir = copyOa(`oa-cut-${size}`);
      const data = path.join(dir, 'model.ckpt.data-00000-of-00001');
      fs.truncateSync(data, size);
      const err = await openWeightSource(dir).catch((e) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect(err.message).toMatch(
        new RegExp(`^${data}: cut short: tensor ".+" ends at byte \\d+, the file has ${size}$`),
      );
    }
  });

  it('n_head that does not divide n_embd is refused', async () => {
    const dir = copyOa('oa-heads');
    const hp = JSON.parse(fs.readFileSync(path.join(dir, 'hparams.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'hparams.json'), JSON.stringify({ ...hp, n_head: 3 }));
    await expect(openWeightSource(dir)).rejects.toThrow(
      `${path.join(dir, 'hparams.json')}: n_embd 32 is not divisible by n_head 3`,
    );
  });
});

describe('convertModelDirectory never writes into its source', () => {
  it('refuses DST = SRC, DST inside SRC and a symlink to SRC, leaving SRC untouched', async () => {
    const src = path.join(tmp.dir, 'conv-src');
    fs.cpSync(HF, src, { recursive: true });
    const before = fs.readFileSync(path.join(src, 'model.safetensors'));
    fs.symlinkSync(src, path.join(tmp.dir, 'conv-link'));
    for (const [dst, what] of [
      [src, 'is'],
      [path.join(src, 'out'), 'is inside'],
      [path.join(tmp.dir, 'conv-link'), 'is'],
      [src + '/./', 'is'],
    ] as const) {
      const err = await convertModelDirectory(src, dst, { format: 'hf', dtype: 'F16' }).catch((e) => e);
      expect(err).toBeInstanceOf(OutputPathError);
      expect(err.message).toBe(`${dst}: ${what} the source folder ${src}; give another output folder`);
    }
    expect(fs.readdirSync(src).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(fs.readFileSync(path.join(src, 'model.safetensors')).equals(before)).toBe(true);
    // a sibling whose name starts like the source is another folder
    const sibling = `${src}-f16`;
    await convertModelDirectory(src, sibling, { format: 'hf', dtype: 'F16' });
    expect(fs.statSync(path.join(sibling, 'model.safetensors')).size).toBeLessThan(before.length);
  });
});
