// Precision of crossEntropy over a wide vocab: the gpt-tiny loss on wasm against PyTorch's value
// (wasm's one-pass float32 Sum over 50,257 logits was 1.1e-4 off), and a wide random case against a
// float64 oracle on both backends (value and gradient, exercising the blocked row sum's padding).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '@llmfs/nn';
import { assertAllClose, assertNoTensorLeak, gptTinyExpected } from '@llmfs/testing';
import { calcLossBatch } from './calc-loss-batch.js';
import { crossEntropy } from './cross-entropy.js';
import { BACKENDS, useBackend } from '../test/backend.js';
import { loadGptTiny } from '../test/gpt-tiny.js';

describe('crossEntropy precision', () => {
  it('gpt-tiny loss via calcLossBatch on wasm is within 1e-5 of PyTorch', async () => {
    await initBackend('wasm', { log: () => {} });
    const fwd = gptTinyExpected().forward as {
      input_ids: number[][];
      target_ids: number[][];
      cross_entropy_loss: number;
    };
    const model = loadGptTiny();
    const [b, t] = [fwd.input_ids.length, fwd.input_ids[0].length];
    const batch = {
      inputs: Int32Array.from(fwd.input_ids.flat()),
      targets: Int32Array.from(fwd.target_ids.flat()),
      batchSize: b,
      seqLen: t,
    };
    const loss = calcLossBatch(batch, model);
    const got = (await loss.data())[0];
    loss.dispose();
    model.dispose();
    expect(Math.abs(got - fwd.cross_entropy_loss)).toBeLessThan(1e-5);
  });

  it.each(BACKENDS)(
    'wide rows (V = 5000, not a block multiple) match a float64 oracle on %s',
    async (backend) => {
      await useBackend(backend);
      const [n, v] = [3, 5000];
      const data = Float32Array.from({ length: n * v }, (_, i) => 8 * Math.sin(i * 12.9898) + ((i * 7) % 13));
      const targets = [17, 4999, 2500];
      // float64 oracle: loss and d loss / d logits = (softmax - onehot) / n
      let loss = 0;
      const grad = new Float64Array(n * v);
      for (let r = 0; r < n; r++) {
        let m = -Infinity;
        for (let j = 0; j < v; j++) m = Math.max(m, data[r * v + j]);
        let z = 0;
        for (let j = 0; j < v; j++) z += Math.exp(data[r * v + j] - m);
        loss += Math.log(z) + m - data[r * v + targets[r]];
        for (let j = 0; j < v; j++) grad[r * v + j] = Math.exp(data[r * v + j] - m) / z / n;
        grad[r * v + targets[r]] -= 1 / n;
      }
      loss /= n;
      const x = tf.tensor2d(data, [n, v]);
      const tg = tf.tensor1d(targets, 'int32');
      await assertNoTensorLeak(tf, 2, () => {
        const value = crossEntropy(x, tg);
        const g = tf.grad((l: tf.Tensor) => crossEntropy(l, tg))(x);
        expect(Math.abs(value.dataSync()[0] - loss)).toBeLessThan(4e-6);
        assertAllClose(g.dataSync(), grad, 1e-7, 'gradient');
        tf.dispose([value, g]);
      });
      tf.dispose([x, tg]);
    },
  );
});
