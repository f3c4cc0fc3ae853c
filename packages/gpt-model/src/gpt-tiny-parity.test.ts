// Parity with the book's PyTorch code on the gpt-tiny fixture (logits 1e-4, loss 1e-5, greedy ids),
// on the wasm and cpu backends.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { fixturePath, gptTinyExpected, maxAbsDiff } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { loadGptTiny, meanCrossEntropy, readSafetensorsF32 } from '../test/gpt-tiny.js';

const expected = gptTinyExpected();

for (const backend of ['wasm', 'cpu']) {
  describe(`gpt-tiny parity on ${backend}`, () => {
    it('logits within 1e-4 and loss within 1e-5 of the book', async () => {
      await initBackend(backend, { log: () => {} });
      const model = loadGptTiny();
      const ids = tf.tensor2d(expected.forward.input_ids, undefined, 'int32');
      const logits = model.forward(ids);
      expect(logits.shape).toEqual(expected.forward.logits_shape);
      const last4 = tf.slice(logits, [0, 28, 0], [2, 4, 50257]);
      const ref = readSafetensorsF32(fixturePath('gpt-tiny', 'expected.safetensors')).get('logits_last4')!;
      const d = maxAbsDiff(await last4.data(), ref.data);
      const loss = await meanCrossEntropy(logits, expected.forward.target_ids);
      const dl = Math.abs(loss - expected.forward.cross_entropy_loss);
      console.log(`[${backend}] max |logits diff| ${d.toExponential(2)}, |loss diff| ${dl.toExponential(2)}`);
      expect(d).toBeLessThan(1e-4);
      expect(dl).toBeLessThan(1e-5);
      tf.dispose([ids, logits, last4]);
      model.dispose();
    });
  });
}
