// The gpt-tiny parity checks on tfjs's webgpu backend (Dawn in Node: a GPU's adapter, or Mesa's OpenGL ES
// driver without one), and a model whose token embedding exceeds a lowered binding limit (16 MiB): its
// embedding and head run in vocabulary shards, no kernel binds more than the limit, and the logits equal
// the wasm backend's.
import * as tf from '@tensorflow/tfjs';
import { bindingLimit, initBackend } from '@llmfs/nn';
import { backendSkipReason, fixturePath, gptTinyExpected, largestBinding, maxAbsDiff } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { loadGptTiny, meanCrossEntropy, readSafetensorsF32 } from '../test/gpt-tiny.js';
import { GPTModel, generate } from './index.js';
import type { GPTConfig } from './index.js';

const expected = gptTinyExpected();
const quiet = { log: () => {} };
const reason = await backendSkipReason((b) => initBackend(b, quiet), 'webgpu');

// wasm first: a tensor a module caches on webgpu cannot be read back synchronously by wasm later
describe.skipIf(!!reason)('webgpu with a 16 MiB binding limit', () => {
  // vocab 50257 x 96 floats = 19.3 MB: over 16 MiB, so the token embedding and the head are sharded
  const cfg: GPTConfig = {
    vocabSize: 50257,
    contextLength: 16,
    embDim: 96,
    nHeads: 2,
    nLayers: 1,
    dropRate: 0,
    qkvBias: true,
  };
  const prompt = [
    [15496, 11, 314, 716, 257, 50256, 0, 3],
    [40, 1101, 7926, 640, 50255, 2, 1, 464],
  ];

  async function logitsOn(backend: string, maxBindingBytes?: number): Promise<Float32Array> {
    await initBackend(backend, { ...quiet, maxBindingBytes });
    const model = new GPTModel(cfg, { seed: 5 }).eval();
    const ids = tf.tensor2d(prompt, undefined, 'int32');
    const logits = model.forward(ids);
    const data = (await logits.data()) as Float32Array;
    tf.dispose([ids, logits]);
    model.dispose();
    return data;
  }

  it('splits the embedding and the head so that no binding exceeds 16 MiB; logits equal wasm within 1e-4', async () => {
    const want = await logitsOn('wasm');
    await initBackend('webgpu', { ...quiet, maxBindingBytes: 16 * 2 ** 20 });
    expect(bindingLimit()).toBe(16 * 2 ** 20);
    const { result: got, bytes } = await largestBinding(tf.backend(), () => logitsOn('webgpu', 16 * 2 ** 20));
    await initBackend('webgpu', { ...quiet, maxBindingBytes: undefined });
    const d = maxAbsDiff(got, want);
    console.log(
      `[webgpu 16 MiB] largest binding ${(bytes / 2 ** 20).toFixed(1)} MiB, max |logits diff| vs wasm ${d.toExponential(2)}`,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(16 * 2 ** 20);
    expect(d).toBeLessThan(1e-4);
  });
});

describe.skipIf(!!reason)('gpt-tiny parity on webgpu', () => {
  it('logits within 1e-4 and loss within 1e-5 of the book', async () => {
    await initBackend('webgpu', quiet);
    const model = loadGptTiny();
    const ids = tf.tensor2d(expected.forward.input_ids, undefined, 'int32');
    const logits = model.forward(ids);
    expect(logits.shape).toEqual(expected.forward.logits_shape);
    const last4 = tf.slice(logits, [0, 28, 0], [2, 4, 50257]);
    const ref = readSafetensorsF32(fixturePath('gpt-tiny', 'expected.safetensors')).get('logits_last4')!;
    const d = maxAbsDiff(await last4.data(), ref.data);
    const loss = await meanCrossEntropy(logits, expected.forward.target_ids);
    const dl = Math.abs(loss - expected.forward.cross_entropy_loss);
    console.log(`[webgpu] max |logits diff| ${d.toExponential(2)}, |loss diff| ${dl.toExponential(2)}`);
    expect(d).toBeLessThan(1e-4);
    expect(dl).toBeLessThan(1e-5);
    tf.dispose([ids, logits, last4]);
    model.dispose();
  });

  it('greedy ids equal the book, with and without the KV cache', async () => {
    await initBackend('webgpu', quiet);
    const model = loadGptTiny();
    const g = expected.generate_greedy;
    for (const useCache of [false, true]) {
      expect(
        await generate(model, { idx: [g.prompt_ids], maxNewTokens: g.max_new_tokens, useCache }),
      ).toEqual([g.output_ids]);
    }
    model.dispose();
  });
});
