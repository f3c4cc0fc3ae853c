import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { crossEntropy } from './cross-entropy.js';
import { TrainerError } from './errors.js';
import { BACKENDS, useBackend } from '../test/backend.js';

// Hand-computed: row [1,2,3] target 2 -> lse = 3 + ln(1 + e^-1 + e^-2) = 3.4076059644, nll 0.4076059644;
// row [1,1,1] target 0 -> nll ln 3 = 1.0986122887. Softmax of [1,2,3] = [0.0900305732, 0.2447284711, 0.6652409558].
const LOGITS = [
  [1, 2, 3],
  [1, 1, 1],
];
const SOFT0 = [0.0900305732, 0.2447284711, 0.6652409558];

describe.each(BACKENDS)('crossEntropy on %s', (backend) => {
  it('matches hand-computed loss and gradient', async () => {
    await useBackend(backend);
    const x = tf.tensor2d(LOGITS);
    const t = tf.tensor1d([2, 0], 'int32');
    const value = crossEntropy(x, t);
    expect(value.dataSync()[0]).toBeCloseTo((0.4076059644 + 1.0986122887) / 2, 5);
    const g = tf.grad((l: tf.Tensor) => crossEntropy(l, t))(x);
    assertAllClose(
      g.dataSync(),
      [SOFT0[0] / 2, SOFT0[1] / 2, (SOFT0[2] - 1) / 2, -1 / 3, 1 / 6, 1 / 6],
      1e-6,
      'gradient',
    );
    tf.dispose([x, t, value, g]);
  });

  it('leaves ignore_index rows out of the mean and the gradient', async () => {
    await useBackend(backend);
    const x = tf.tensor2d(LOGITS);
    const t = tf.tensor1d([2, -100], 'int32');
    const loss = crossEntropy(x, t);
    expect(loss.dataSync()[0]).toBeCloseTo(0.4076059644, 5);
    const g = tf.grad((l: tf.Tensor) => crossEntropy(l, t))(x);
    assertAllClose(g.dataSync(), [SOFT0[0], SOFT0[1], SOFT0[2] - 1, 0, 0, 0], 1e-6, 'gradient');
    tf.dispose([x, t, loss, g]);
  });

  it('accepts [B,T,V] logits, agrees with logSoftmax + oneHot, and leaks nothing', async () => {
    await useBackend(backend);
    const b = 2,
      T = 3,
      V = 7;
    const x = tf.randomNormal([b, T, V], 0, 2, 'float32', 7);
    const t = tf.tensor2d(
      [
        [0, 6, 3],
        [2, 2, -100],
      ],
      [b, T],
      'int32',
    );
    const ref = tf.tidy(() => {
      const flatT = tf.reshape(t, [b * T]);
      const mask = tf.cast(tf.notEqual(flatT, -100), 'float32');
      const oh = tf.oneHot(tf.maximum(flatT, tf.scalar(0, 'int32')), V);
      const f = (l: tf.Tensor) =>
        tf.div(
          tf.neg(tf.sum(tf.mul(tf.sum(tf.mul(tf.logSoftmax(tf.reshape(l, [b * T, V])), oh), 1), mask))),
          tf.sum(mask),
        );
      return [f(x), tf.grad(f)(x)];
    });
    const loss = crossEntropy(x, t);
    const g = tf.grad((l: tf.Tensor) => crossEntropy(l, t))(x);
    assertAllClose(loss.dataSync(), ref[0].dataSync(), 1e-5, 'loss');
    assertAllClose(g.dataSync(), ref[1].dataSync(), 1e-6, 'gradient');
    await assertNoTensorLeak(tf, 3, () => {
      const gg = tf.grad((l: tf.Tensor) => crossEntropy(l, t))(x);
      gg.dispose();
    });
    tf.dispose([x, t, loss, g, ...ref]);
  });

  it('gives NaN when every target is ignored (as PyTorch)', async () => {
    await useBackend(backend);
    const x = tf.tensor2d(LOGITS);
    const t = tf.tensor1d([-100, -100], 'int32');
    const loss = crossEntropy(x, t);
    expect(Number.isNaN(loss.dataSync()[0])).toBe(true);
    tf.dispose([x, t, loss]);
  });
});

describe('crossEntropy input checks', () => {
  afterAll(() => undefined);
  it('names the mismatch', () => {
    const x = tf.zeros([2, 3]);
    const t = tf.tensor1d([1, 2, 0], 'int32');
    expect(() => crossEntropy(x, t)).toThrow(TrainerError);
    expect(() => crossEntropy(x, t)).toThrow(/targets have 3 entries/);
    const tf32 = tf.tensor1d([1, 2]);
    expect(() => crossEntropy(x, tf32)).toThrow(/int32/);
    tf.dispose([x, t, tf32]);
  });
});
