// The compute worker's model code, run in Node on the wasm backend: loading the bundled model from
// its bytes, attention maps (rows are distributions, the causal mask is exact), and the zip export
// (config.json + model.safetensors that load back to the same weights), without tensor leaks.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@llmfs/nn';
import { configFromHf, hfStateToLlmfs, readSafetensors } from '@llmfs/gpt2-weights';
import { attentionMaps } from './attention-maps.js';
import { exportModelZip } from './export-model.js';
import { loadModel } from './load-model.js';

const modelDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public/models/default');
const files = () => ({
  configText: fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8'),
  configName: 'config.json',
  weights: new Uint8Array(fs.readFileSync(path.join(modelDir, 'model.safetensors'))),
  weightsName: 'model.safetensors',
});

describe('the bundled model in the worker code (Node, wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => undefined });
  });

  it('attention maps: every row sums to 1 and nothing is above the diagonal', async () => {
    const { model } = loadModel(files());
    await attentionMaps(model, 'Every effort'); // warm-up: @llmfs/attention caches one causal-mask square
    const before = tf.memory().numTensors;
    const maps = await attentionMaps(model, 'Every effort moves you forward');
    expect(tf.memory().numTensors).toBe(before);
    expect(maps).toMatchObject({ nLayers: 2, nHeads: 4, T: 5, ids: [6109, 3626, 6100, 345, 2651] });
    for (const layer of maps.layers) {
      expect(layer.length).toBe(4 * 5 * 5);
      for (let h = 0; h < 4; h++) {
        for (let i = 0; i < 5; i++) {
          let sum = 0;
          for (let j = 0; j < 5; j++) {
            const w = layer[h * 25 + i * 5 + j];
            if (j > i) expect(w).toBe(0);
            sum += w;
          }
          expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
        }
      }
    }
    // The first token can only attend to itself.
    expect(maps.layers[0][0]).toBeCloseTo(1, 6);
    model.dispose();
  });

  it("export: the zip holds a model directory whose weights equal the model's", async () => {
    const { model, cfg } = loadModel(files());
    const zip = unzipSync(await exportModelZip(model, 'out'));
    expect(
      Object.keys(zip)
        .filter((k) => !k.endsWith('/'))
        .sort(),
    ).toEqual(['out/config.json', 'out/model.safetensors']);
    const config = JSON.parse(new TextDecoder().decode(zip['out/config.json']));
    expect(configFromHf(config)).toEqual({ ...cfg, dropRate: 0 });
    const state = hfStateToLlmfs(readSafetensors(zip['out/model.safetensors']), cfg);
    for (const [name, v] of model.stateDict()) {
      const got = state.get(name)!;
      expect(got.shape).toEqual(v.shape);
      expect(Array.from(got.data)).toEqual(Array.from(await v.data()));
    }
    model.dispose();
  });
});
