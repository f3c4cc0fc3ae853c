// Host views (host-views.ts): JavaScript reads tensors and writes new ones in place, with the same values
// as dataSync/tf.tensor on wasm and cpu, even when the allocation grows the wasm heap.
import * as tf from '@tensorflow/tfjs';
import { assertNoTensorLeak } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { ShapeMismatchError, initBackend, readHostViews, writeHostTensor } from './index.js';

describe.each(['wasm', 'cpu'])('host views on %s', (backend) => {
  it('read in place and write a new tensor from the views', async () => {
    await initBackend(backend, { log: () => {} });
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([10, 20, 30, 40, 50, 60], [2, 3]);
    expect(readHostViews([a, b], (x, y) => x.reduce((s, v, i) => s + v * y[i], 0))).toBe(910);
    const c = writeHostTensor([3, 2], [a, b], (out, x, y) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] + 2 * y[i];
    });
    expect(c.shape).toEqual([3, 2]);
    expect(Array.from(c.dataSync())).toEqual([21, 42, 63, 84, 105, 126]);
    // the inputs are untouched
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([a, b, c]);
    expect(() => readHostViews([tf.tensor1d([1], 'int32')], () => 0)).toThrow(ShapeMismatchError);
  });

  it('writes a tensor large enough to grow the heap, and leaks nothing when the fill throws', async () => {
    await initBackend(backend, { log: () => {} });
    const x = tf.fill([1000], 3);
    const n = 48 * 2 ** 20; // 192 MB: more than the heap has free after start-up
    const big = writeHostTensor([n], [x], (out, v) => {
      out.fill(v[0]);
      out[n - 1] = 7;
    });
    const d = big.dataSync();
    expect([d[0], d[n >> 1], d[n - 1]]).toEqual([3, 3, 7]);
    big.dispose();
    // the output's backend memory is freed when the fill throws
    const dataIds = () => tf.backend().numDataIds();
    const before = dataIds();
    expect(() =>
      writeHostTensor([4], [x], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(dataIds()).toBe(before);
    await assertNoTensorLeak(tf, 2, () => {
      writeHostTensor([4], [x], (out, v) => out.fill(v[1])).dispose();
    });
    x.dispose();
  });
});
