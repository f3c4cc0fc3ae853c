// Issue 3 acceptance 1 through this package's loader: gpt-tiny from its Hugging Face directory and from
// its OpenAI folder gives the book's logits (1e-4), loss (1e-5) and greedy ids (cached and uncached),
// on the wasm and cpu backends; both layouts give identical logits.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { generate, generateTextSimple } from '@llmfs/gpt-model';
import { assertNoTensorLeak, fixturePath, gptTinyExpected, maxAbsDiff } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { loadModelDirectory } from './load-model-directory.js';
import { openSafetensorsFile } from './safetensors-file.js';

const expected = gptTinyExpected();

/**
 * Mean cross-entropy, log-sum-exp minus the target logit, in float64 on the host (computed here, not by
 * the code under test; the wasm backend's float32 logSoftmax alone drifts by ~1e-4 on a 50257 vocabulary).
 */
async function meanCrossEntropy(logits: tf.Tensor, targets: number[][]): Promise<number> {
  const v = logits.shape[logits.shape.length - 1];
  const data = await logits.data();
  const t = targets.flat();
  let sum = 0;
  for (let r = 0; r < t.length; r++) {
    let max = -Infinity;
    for (let j = 0; j < v; j++) max = Math.max(max, data[r * v + j]);
    let s = 0;
    for (let j = 0; j < v; j++) s += Math.exp(data[r * v + j] - max);
    sum += max + Math.log(s) - data[r * v + t[r]];
  }
  return sum / t.length;
}

for (const backend of ['wasm', 'cpu']) {
  describe(`gpt-tiny loaded by gpt2-weights on ${backend}`, () => {
    it('HF directory: logits 1e-4, loss 1e-5, greedy ids cached and uncached; OpenAI folder identical', async () => {
      await initBackend(backend, { log: () => {} });
      const hf = await loadModelDirectory(fixturePath('gpt-tiny', 'hf'));
      const oa = await loadModelDirectory(fixturePath('gpt-tiny', 'openai'));
      expect(hf.format).toBe('hf');
      expect(oa.format).toBe('openai');
      expect(hf.cfg).toMatchObject({
        vocabSize: 50257,
        contextLength: 32,
        embDim: 32,
        nHeads: 4,
        nLayers: 2,
        qkvBias: true,
      });
      const ids = tf.tensor2d(expected.forward.input_ids, undefined, 'int32');
      const logits = hf.model.forward(ids);
      const last4 = tf.slice(logits, [0, 28, 0], [2, 4, 50257]);
      const ref = await openSafetensorsFile(fixturePath('gpt-tiny', 'expected.safetensors'));
      const refLogits = await ref.tensor('logits_last4');
      await ref.close();
      expect(refLogits.shape).toEqual([2, 4, 50257]);
      const d = maxAbsDiff(await last4.data(), refLogits.data);
      const loss = await meanCrossEntropy(logits, expected.forward.target_ids);
      console.log(
        `[${backend}] max |logits diff| ${d.toExponential(2)}, |loss diff| ${Math.abs(loss - expected.forward.cross_entropy_loss).toExponential(2)}`,
      );
      expect(d).toBeLessThan(1e-4);
      expect(Math.abs(loss - expected.forward.cross_entropy_loss)).toBeLessThan(1e-5);

      const logitsOa = oa.model.forward(ids);
      expect(maxAbsDiff(await logitsOa.data(), await logits.data())).toBe(0);

      const g = expected.generate_greedy;
      const simple = generateTextSimple(hf.model, [g.prompt_ids], g.max_new_tokens, 32);
      expect(simple[0]).toEqual(g.output_ids);
      for (const useCache of [true, false]) {
        const out = await generate(hf.model, {
          idx: [g.prompt_ids],
          maxNewTokens: g.max_new_tokens,
          temperature: 0,
          useCache,
        });
        expect(out[0]).toEqual(g.output_ids);
      }
      tf.dispose([ids, logits, last4, logitsOa]);
      hf.model.dispose();
      oa.model.dispose();
    });

    // (forward is left out: it is gpt-model's to keep leak-free; this checks the loader's assigns.)
    it('loading and disposing a model leaks no tensors', async () => {
      await initBackend(backend, { log: () => {} });
      await assertNoTensorLeak(tf, 2, async () => {
        const { model } = await loadModelDirectory(fixturePath('gpt-tiny', 'openai'));
        model.dispose();
      });
    });
  });
}
