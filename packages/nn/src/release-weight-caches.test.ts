// releaseWeightCaches: on wasm each parameter moves to a fresh buffer (freeing XNNPACK's packed copy of
// the old one) with identical values; on other backends nothing changes.
import * as tf from '@tensorflow/tfjs';
import { assertNoTensorLeak } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { Linear, Rng, initBackend, releaseWeightCaches } from './index.js';

describe.each(['wasm', 'cpu'])('releaseWeightCaches on %s', (backend) => {
  it('keeps the values and outputs, and replaces the buffers only on wasm', async () => {
    await initBackend(backend, { log: () => {} });
    const layer = new Linear(16, 24, { rng: new Rng(3) });
    const x = tf.tensor2d(new Rng(4).fillUniform(new Float32Array(5 * 16), -1, 1), [5, 16]);
    const y0 = layer.forward(x); // inference product: on wasm XNNPACK packs and keeps the weight
    const ids = layer.parameters().map((p) => p.dataId);
    const values = layer.parameters().map((p) => Array.from(p.dataSync()));
    const dataIds = tf.backend().numDataIds();
    releaseWeightCaches(layer.parameters());
    expect(tf.backend().numDataIds()).toBe(dataIds);
    layer.parameters().forEach((p, i) => {
      expect(Array.from(p.dataSync())).toEqual(values[i]);
      if (backend === 'wasm') expect(p.dataId).not.toBe(ids[i]);
      else expect(p.dataId).toBe(ids[i]);
    });
    const y1 = layer.forward(x);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y0.dataSync()));
    await assertNoTensorLeak(tf, 2, () => releaseWeightCaches(layer.parameters()));
    tf.dispose([x, y0, y1]);
    layer.dispose();
  });

  it('happens by itself when an evaluated module goes back to training, for the weights it packed', async () => {
    await initBackend(backend, { log: () => {} });
    const layer = new Linear(16, 24, { rng: new Rng(3) });
    const idle = new Linear(16, 24, { rng: new Rng(5) }); // evaluated but never run: nothing to free
    const x = tf.tensor2d(new Rng(4).fillUniform(new Float32Array(5 * 16), -1, 1), [5, 16]);
    layer.eval();
    idle.eval();
    const y0 = layer.forward(x);
    const weightId = layer.weight.dataId;
    const idleId = idle.weight.dataId;
    const value = Array.from(layer.weight.dataSync());
    layer.train();
    idle.train();
    expect(Array.from(layer.weight.dataSync())).toEqual(value);
    if (backend === 'wasm') expect(layer.weight.dataId).not.toBe(weightId);
    else expect(layer.weight.dataId).toBe(weightId);
    expect(idle.weight.dataId).toBe(idleId);
    // a second switch with no inference in between copies nothing
    const again = layer.weight.dataId;
    layer.eval().train();
    expect(layer.weight.dataId).toBe(again);
    tf.dispose([x, y0]);
    layer.dispose();
    idle.dispose();
  });
});
