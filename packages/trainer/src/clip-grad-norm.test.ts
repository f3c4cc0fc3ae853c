import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { clipGradNorm } from './clip-grad-norm.js';
import { BACKENDS, useBackend } from '../test/backend.js';

describe.each(BACKENDS)('clipGradNorm on %s', (backend) => {
  it('scales by maxNorm / (total + 1e-6) when the global norm is above maxNorm', async () => {
    await useBackend(backend);
    // |[3, 4, 12]| = 13
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 4])],
      ['b', tf.tensor2d([[12]])],
    ]);
    const total = clipGradNorm(grads, 1);
    expect(total).toBeCloseTo(13, 5);
    const c = 1 / (13 + 1e-6);
    assertAllClose(grads.get('a')!.dataSync(), [3 * c, 4 * c], 1e-7, 'a');
    assertAllClose(grads.get('b')!.dataSync(), [12 * c], 1e-7, 'b');
    expect(grads.get('b')!.shape).toEqual([1, 1]);
    tf.dispose([...grads.values()]);
  });

  it('leaves gradients below maxNorm alone and leaks nothing', async () => {
    await useBackend(backend);
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3, 4]) };
    const before = grads.a;
    expect(clipGradNorm(grads, 20)).toBeCloseTo(5, 5);
    expect(grads.a).toBe(before);
    await assertNoTensorLeak(tf, 3, () => clipGradNorm(grads, 20));
    grads.a.dispose();
  });

  it('returns NaN for a NaN gradient without clipping', async () => {
    await useBackend(backend);
    const grads = new Map<string, tf.Tensor>([['a', tf.tensor1d([NaN, 1])]]);
    expect(Number.isNaN(clipGradNorm(grads, 1))).toBe(true);
    tf.dispose([...grads.values()]);
  });
});
