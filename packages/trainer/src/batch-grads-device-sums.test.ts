// batchGrads where the backend prefers gradient sums on the device (webgpu, tensorflow): nn's preference
// is forced off here, so the device path runs on cpu and must give the one-pass gradients.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { GPTModel } from '@llmfs/gpt-model';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { batchGrads } from './batch-grads.js';
import { useBackend } from '../test/backend.js';
import { TINY, tinyIds } from '../test/tiny-setup.js';

vi.mock('@llmfs/nn', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@llmfs/nn')>()),
  prefersHostGradientSums: () => false,
}));

describe('batchGrads with device gradient sums', () => {
  it('2 and 4 micro-batches match one pass, ignored targets weighted by count, no leak', async () => {
    await useBackend('cpu');
    const model = new GPTModel({ ...TINY, dropRate: 0 }, { seed: 5 });
    const vars = model.trainableParameters();
    const [b, t] = [4, 8];
    const ids = tinyIds(b * t + 1);
    const targets = Int32Array.from(ids.slice(1, b * t + 1));
    targets.fill(-100, 0, 5); // row 0 has 3 valid targets, the others 8
    const batch = { inputs: Int32Array.from(ids.slice(0, b * t)), targets, batchSize: b, seqLen: t };
    const one = await batchGrads(batch, model, vars);
    for (const k of [2, 4]) {
      const many = await batchGrads(batch, model, vars, { microBatches: k });
      expect(Math.abs(many.loss - one.loss)).toBeLessThan(1e-5);
      expect([...many.grads.keys()].sort()).toEqual([...one.grads.keys()].sort());
      for (const [name, g] of one.grads)
        assertAllClose(many.grads.get(name)!.dataSync(), g.dataSync(), 2e-6, `${name} (k=${k})`);
      tf.dispose([...many.grads.values()]);
    }
    tf.dispose([...one.grads.values()]);
    await assertNoTensorLeak(tf, 2, async () => {
      const r = await batchGrads(batch, model, vars, { microBatches: 2 });
      tf.dispose([...r.grads.values()]);
    });
    model.dispose();
  });
});
