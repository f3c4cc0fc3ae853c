import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { loadModelDirectory } from '@llmfs/gpt2-weights';
import { AdamW, Trainer, calcLossLoader } from '@llmfs/trainer';
import { fixturePath, makeTempDir, maxAbsDiff } from '@llmfs/testing';
import fs from 'node:fs';
import path from 'node:path';
import { createInstructionDataLoader } from './create-instruction-data-loader.js';
import { loadFinetunedModel, saveFinetunedModel } from './finetuned-model-directory.js';
import { generateResponses, saveResponses } from './generate-responses.js';
import { InstructionDataset } from './instruction-dataset.js';
import { loadInstructionData, parseInstructionData, splitInstructionData } from './instruction-data.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from './lora-adapters.js';
import { findLoraLayers, replaceLinearWithLora } from './replace-linear-with-lora.js';
import { makeTestTokenizer } from './test-tokenizer.fixture.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

async function setup(n: number) {
  const data = (await loadInstructionData())
    .filter((e) => e.instruction.length + e.input.length + e.output.length < 90)
    .slice(0, n);
  const tok = makeTestTokenizer();
  const ds = new InstructionDataset(data, tok);
  const { model } = await loadModelDirectory(fixturePath('gpt-tiny', 'hf'));
  model.train();
  return { data, tok, ds, model };
}

function lastLogits(model: { forward(ids: tf.Tensor2D): tf.Tensor3D }, ids: number[]): Float32Array {
  return tf.tidy(
    () => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).dataSync() as Float32Array,
  );
}

describe('instruction finetuning (chapter 7.5-7.7) on gpt-tiny', () => {
  it('learns the training set with the trainer: loss falls', async () => {
    const { ds, model } = await setup(8);
    const loader = createInstructionDataLoader(ds, {
      batchSize: 4,
      shuffle: true,
      dropLast: true,
      allowedMaxLength: 32,
    });
    const before = await calcLossLoader(loader, model);
    const optimizer = new AdamW(model.trainableParameters(), { lr: 5e-3, weightDecay: 0.1 });
    const r = await new Trainer({ model, optimizer, trainLoader: loader, numEpochs: 6, evalFreq: 0 }).run();
    expect(r.steps).toBe(12);
    const after = await calcLossLoader(loader, model);
    expect(before).toBeGreaterThan(3);
    expect(after).toBeLessThan(before * 0.6);
    model.dispose();
    optimizer.dispose();
  });

  it('with LoRA trains only the adapters, saves them apart, and reloads to the same outputs', async () => {
    const { ds, model, tok, data } = await setup(8);
    const base = new Map(model.namedParameters().map(([n, v]) => [n, v.dataSync().slice()]));
    replaceLinearWithLora(model, 4, 8);
    expect(model.trainableParameters().every(([n]) => n.includes('.lora.'))).toBe(true);
    const loader = createInstructionDataLoader(ds, {
      batchSize: 4,
      shuffle: true,
      dropLast: true,
      allowedMaxLength: 32,
    });
    const before = await calcLossLoader(loader, model);
    const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-2, weightDecay: 0 });
    await new Trainer({ model, optimizer, trainLoader: loader, numEpochs: 5, evalFreq: 0 }).run();
    const after = await calcLossLoader(loader, model);
    expect(after).toBeLessThan(before * 0.9);
    for (const [n, v] of model.namedParameters())
      if (!n.includes('.lora.')) expect(maxAbsDiff(v.dataSync(), base.get(n)!), n).toBe(0);
    model.eval();
    const ids = ds.encodedTexts[0].slice(0, 20);
    const want = lastLogits(model, ids);
    const { dir, cleanup } = makeTempDir();
    try {
      await saveFinetunedModel(dir, model);
      expect(fs.existsSync(path.join(dir, ADAPTER_WEIGHTS_FILE))).toBe(true);
      expect(JSON.parse(fs.readFileSync(path.join(dir, ADAPTER_CONFIG_FILE), 'utf8'))).toMatchObject({
        r: 4,
        lora_alpha: 8,
      });
      // the base file holds the untouched base weights
      const plain = await loadModelDirectory(dir);
      expect(
        maxAbsDiff(
          plain.model.stateDict().get('trf_blocks.1.att.W_key.weight')!.dataSync(),
          base.get('trf_blocks.1.att.W_key.weight')!,
        ),
      ).toBe(0);
      plain.model.dispose();
      const loaded = await loadFinetunedModel(dir);
      expect(loaded.adapters).toBe(true);
      expect(findLoraLayers(loaded.model)).toEqual([]);
      const got = lastLogits(loaded.model, ids);
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      // responses for a few entries, saved with model_response
      const withResponses = await generateResponses(loaded.model, tok, data.slice(0, 2), { maxNewTokens: 4 });
      expect(withResponses.map((e) => typeof e.model_response)).toEqual(['string', 'string']);
      const file = path.join(dir, 'instruction-data-with-response.json');
      await saveResponses(file, withResponses);
      expect(parseInstructionData(fs.readFileSync(file, 'utf8'))).toEqual(withResponses);
      loaded.model.dispose();
    } finally {
      cleanup();
      model.dispose();
      optimizer.dispose();
    }
  });

  it("the book's split of the shipped data feeds the loaders: 935 train entries in 116 batches of 8", async () => {
    const { train } = splitInstructionData(await loadInstructionData());
    const ds = new InstructionDataset(train, makeTestTokenizer());
    expect(createInstructionDataLoader(ds, { batchSize: 8, shuffle: true, dropLast: true }).length).toBe(116);
  });
});
