// The wasm Identity fix: tf.clone (and the engine's copies of tensors saved for backward) share the
// buffer by reference count instead of copying it; disposing one side leaves the other intact.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './index.js';

describe('wasm Identity', () => {
  it('shares the data buffer and keeps it until the last reference is disposed', async () => {
    await initBackend('wasm', { log: () => {} });
    const be = tf.backend() as unknown as { refCount(id: tf.DataId): number };
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(be.refCount(x.dataId)).toBe(2);
    x.dispose();
    expect([...y.dataSync()]).toEqual([1, 2, 3]);
    y.dispose();
    // a gradient that goes through saved (shared) tensors is still right: d/dx sum(x^2 * 3) = 6x
    const v = tf.tensor1d([1, -2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.square(a), 3)))(v);
    expect([...g.dataSync()]).toEqual([6, -12]);
    tf.dispose([v, g]);
  });
});
