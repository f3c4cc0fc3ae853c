// batchGrads: accumulating micro-batches gives the full batch's loss and gradients (dropout off),
// weighting parts by their valid targets when some are ignored; no tensors leak.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GPTModel } from '@llmfs/gpt-model';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { batchGrads } from './batch-grads.js';
import { TrainerError } from './errors.js';
import { BACKENDS, useBackend } from '../test/backend.js';
import { TINY, tinyIds } from '../test/tiny-setup.js';

describe.each(BACKENDS)('batchGrads on %s', (backend) => {
  it('2 and 4 micro-batches match one pass, with ignored targets weighted by count', async () => {
    await useBackend(backend);
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
      for (const [name, g] of one.grads)
        assertAllClose(many.grads.get(name)!.dataSync(), g.dataSync(), 2e-6, `${name} (k=${k})`);
      tf.dispose([...many.grads.values()]);
    }
    tf.dispose([...one.grads.values()]);
    // the host sums are reused between calls: a second batch gets its own gradients, nothing carried over
    const ids2 = tinyIds(b * t + 9).slice(8);
    const batch2 = {
      ...batch,
      inputs: Int32Array.from(ids2.slice(0, b * t)),
      targets: Int32Array.from(ids2.slice(1)),
    };
    const one2 = await batchGrads(batch2, model, vars);
    const many2 = await batchGrads(batch2, model, vars, { microBatches: 2 });
    for (const [name, g] of one2.grads)
      assertAllClose(many2.grads.get(name)!.dataSync(), g.dataSync(), 2e-6, `${name} (second batch)`);
    tf.dispose([...one2.grads.values(), ...many2.grads.values()]);
    await assertNoTensorLeak(tf, 2, async () => {
      const r = await batchGrads(batch, model, vars, { microBatches: 2 });
      tf.dispose([...r.grads.values()]);
    });
    await expect(batchGrads(batch, model, vars, { microBatches: 3 })).rejects.toBeInstanceOf(TrainerError);
    model.dispose();
  });
});
