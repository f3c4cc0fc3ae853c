// Adapter files written while q|k|v was one fused Linear (`att.qkv.lora.<part>.A/B`, one adapter per
// part) load into the book's W_query, W_key, W_value adapters: the same tensors under new names.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, Rng } from '@llmfs/nn';
import { openSafetensorsFile, writeSafetensors, type TensorToWrite } from '@llmfs/gpt2-weights';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelSetupError, loadLoraAdapters, replaceLinearWithLora, saveLoraAdapters } from './index.js';
import { ADAPTER_WEIGHTS_FILE } from './lora-adapters.js';

class Att extends Module {
  readonly W_query = this.registerModule('W_query', new Linear(4, 4, { rng: new Rng(1) }));
  readonly W_key = this.registerModule('W_key', new Linear(4, 4, { rng: new Rng(2) }));
  readonly W_value = this.registerModule('W_value', new Linear(4, 4, { rng: new Rng(3) }));
}
class Block extends Module {
  readonly att = this.registerModule('att', new Att());
}
class Toy extends Module {
  readonly blocks = this.registerModule('blocks', new Block());
}

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('loadLoraAdapters with a fused-q|k|v adapter file', () => {
  it('loads att.qkv.lora.0..2 into W_query, W_key, W_value', async () => {
    const src = replaceLinearWithLora(new Toy(), 2, 4);
    const adapters = src.namedParameters().filter(([n]) => n.includes('.lora.'));
    adapters.forEach(([, v], i) => v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', 40 + i)));
    const dir = path.join(tmp.dir, 'old');
    await saveLoraAdapters(dir, src);
    // rewrite the weights under the old names
    const file = path.join(dir, ADAPTER_WEIGHTS_FILE);
    const reader = await openSafetensorsFile(file);
    const old = new Map<string, TensorToWrite>();
    for (const n of reader.names()) {
      const t = await reader.tensor(n);
      const m = /^(.*\.att\.)(W_query|W_key|W_value)\.lora\.(A|B)$/.exec(n)!;
      old.set(`${m[1]}qkv.lora.${['W_query', 'W_key', 'W_value'].indexOf(m[2])}.${m[3]}`, {
        shape: t.shape,
        data: t.data,
      });
    }
    await reader.close();
    expect([...old.keys()].sort()).toEqual(
      ['0', '1', '2'].flatMap((p) => [`blocks.att.qkv.lora.${p}.A`, `blocks.att.qkv.lora.${p}.B`]).sort(),
    );
    fs.rmSync(file);
    await writeSafetensors(file, old, { format: 'pt' });

    const dst = await loadLoraAdapters(dir, new Toy());
    const got = new Map(dst.namedParameters().map(([n, v]) => [n, v]));
    for (const [n, v] of adapters)
      expect(Array.from(got.get(n)!.dataSync())).toEqual(Array.from(v.dataSync()));
    src.dispose();
    dst.dispose();
  });

  it('names the stored tensor when one is unexpected', async () => {
    const src = replaceLinearWithLora(new Toy(), 2, 4);
    const dir = path.join(tmp.dir, 'odd');
    await saveLoraAdapters(dir, src);
    const file = path.join(dir, ADAPTER_WEIGHTS_FILE);
    fs.rmSync(file);
    const z = { shape: [4, 2], data: new Float32Array(8) };
    await writeSafetensors(file, new Map([['blocks.att.qkv.lora.3.A', z]]), { format: 'pt' });
    await expect(loadLoraAdapters(dir, new Toy())).rejects.toThrow(ModelSetupError);
    await expect(loadLoraAdapters(dir, new Toy())).rejects.toThrow(/blocks\.att\.qkv\.lora\.3\.A/);
    src.dispose();
  });
});
