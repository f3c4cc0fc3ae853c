// maskedSoftmax against the composition it replaces (scale, add the causal mask, softmax), values and
// gradients through tfjs's own autodiff, on wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { assertAllClose } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { causalMask } from './causal-mask.js';
import { maskedSoftmax } from './masked-softmax.js';

const composed = (s: tf.Tensor, scale: number, mask?: tf.Tensor) =>
  tf.softmax(mask ? tf.add(tf.mul(s, scale), mask) : tf.mul(s, scale));

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`maskedSoftmax (${backend})`, () => {
    // [B*H, T, Tk]: a square causal block, a query chunk at an offset into a longer cache, and no mask.
    const cases = [
      { name: 'causal', shape: [6, 5, 5], mask: () => causalMask(5, 5, 0) },
      { name: 'offset', shape: [4, 3, 7], mask: () => causalMask(3, 7, 4) },
      { name: 'unmasked', shape: [4, 1, 7], mask: () => undefined },
    ];
    for (const c of cases) {
      it(`${c.name}: values and gradient equal the composed ops`, async () => {
        await initBackend(backend, { log: () => {} });
        const scores = tf.randomNormal(c.shape, 0, 3, 'float32', 11);
        const w = tf.randomNormal(c.shape, 0, 1, 'float32', 12);
        const mask = c.mask();
        const scale = 1 / Math.sqrt(16);
        const before = tf.memory().numTensors;
        const loss = (f: typeof composed) => (s: tf.Tensor) => tf.sum(tf.mul(f(s, scale, mask), w));
        const ours = tf.valueAndGrad(loss(maskedSoftmax))(scores);
        const ref = tf.valueAndGrad(loss(composed))(scores);
        assertAllClose(await ours.grad.data(), await ref.grad.data(), 1e-6, `${c.name} gradient`);
        assertAllClose(await ours.value.data(), await ref.value.data(), 1e-5, `${c.name} value`);
        const untaped = maskedSoftmax(scores, scale, mask);
        const expected = tf.tidy(() => composed(scores, scale, mask));
        assertAllClose(await untaped.data(), await expected.data(), 1e-7, `${c.name} forward`);
        tf.dispose([ours.value, ours.grad, ref.value, ref.grad, untaped, expected]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([scores, w, ...(mask ? [mask] : [])]);
      });
    }
  });
}
