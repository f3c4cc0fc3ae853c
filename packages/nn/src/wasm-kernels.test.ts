// The wasm kernel fixes (Slice and SplitV in place, UnsortedSegmentSum) and split batched products, checked
// against the cpu backend's own kernels.
import * as tf from '@tensorflow/tfjs';
import { assertAllClose } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { Rng, batchMatMul, initBackend } from './index.js';

const rnd = (r: Rng, shape: number[]) =>
  Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal());

/** Runs `f` on cpu and on wasm with the same input data and returns both results. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const out: Float32Array[][] = [];
  for (const b of ['cpu', 'wasm']) {
    await initBackend(b, { log: () => {} });
    const r = f();
    const list = Array.isArray(r) ? r : [r];
    out.push(await Promise.all(list.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(list);
  }
  return [out[0], out[1]];
}

describe('wasm kernel fixes', () => {
  it('Slice matches cpu for contiguous and strided slices of rank 1-5', async () => {
    const r = new Rng(1);
    const cases: Array<[number[], number[], number[]]> = [
      [[10], [3], [4]],
      [
        [6, 7],
        [1, 2],
        [3, 4],
      ],
      [
        [6, 7],
        [2, 0],
        [3, 7],
      ],
      [
        [4, 5, 6],
        [1, 0, 2],
        [2, 5, 3],
      ],
      [
        [4, 5, 6],
        [3, 0, 0],
        [1, 5, 6],
      ],
      [
        [2, 3, 4, 5],
        [1, 1, 1, 1],
        [1, 2, 2, 3],
      ],
      [
        [2, 3, 2, 4, 3],
        [0, 1, 1, 2, 0],
        [2, 2, 1, 2, 3],
      ],
    ];
    for (const [shape, begin, size] of cases) {
      const data = rnd(r, shape);
      const [c, w] = await onBoth(() => tf.slice(tf.tensor(data, shape), begin, size));
      assertAllClose(w[0], c[0], 0, `slice ${shape} ${begin} ${size}`);
    }
  });

  it('SplitV matches cpu for even and uneven splits on every axis', async () => {
    const shape = [6, 4, 5];
    const data = rnd(new Rng(2), shape);
    const splits: Array<[number | number[], number]> = [
      [3, 0],
      [[1, 2, 3], 0],
      [2, 1],
      [[3, 1], 1],
      [5, 2],
      [[2, 0, 3], 2],
      [[4, -1], -1],
    ];
    for (const [sizes, axis] of splits) {
      const [c, w] = await onBoth(() => tf.split(tf.tensor(data, shape), sizes, axis));
      expect(w.length, `split ${sizes} on ${axis}`).toBe(c.length);
      c.forEach((x, i) => assertAllClose(w[i], x, 0, `split ${sizes} on ${axis}, piece ${i}`));
    }
    // int32 pieces keep their dtype and values
    const [c, w] = await onBoth(() => tf.split(tf.range(0, 24, 1, 'int32').reshape([4, 6]), [2, 4], 1));
    c.forEach((x, i) => expect(Array.from(w[i])).toEqual(Array.from(x)));
  });

  it('the gradient of tf.gather runs on wasm (UnsortedSegmentSum) and equals cpu', async () => {
    const data = rnd(new Rng(3), [7, 4]);
    const f = () => {
      const x = tf.tensor2d(data, [7, 4]);
      const idx = tf.tensor1d([1, 6, 1, 0, 6, 6], 'int32');
      const g = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.gather(z, idx), tf.range(0, 24).reshape([6, 4]))))(
        x,
      );
      tf.dispose([x, idx]);
      return g;
    };
    const [c, w] = await onBoth(f);
    assertAllClose(w[0], c[0], 1e-5, 'gather grad');
    expect(Math.max(...Array.from(c[0]))).toBeGreaterThan(0);
  });

  it('batchMatMul splits large batches on wasm and its gradients equal tf.matMul on cpu', async () => {
    const r = new Rng(4);
    const a = rnd(r, [3, 40, 50]);
    const b = rnd(r, [3, 50, 60]);
    const w = rnd(r, [3, 40, 60]);
    const run = (mm: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor) => () => {
      const ta = tf.tensor3d(a, [3, 40, 50]);
      const tb = tf.tensor3d(b, [3, 50, 60]);
      const tw = tf.tensor3d(w, [3, 40, 60]);
      const y = mm(ta, tb);
      const gs = tf.grads((x: tf.Tensor, z: tf.Tensor) =>
        tf.sum(tf.mul(mm(x as tf.Tensor3D, z as tf.Tensor3D), tw)),
      )([ta, tb]);
      tf.dispose([ta, tb, tw]);
      return [y, ...gs];
    };
    const [ref] = await onBoth(run((x, y) => tf.matMul(x, y)));
    const [, ours] = await onBoth(run(batchMatMul));
    ref.forEach((x, i) => assertAllClose(ours[i], x, 1e-3, `batchMatMul output ${i}`));
  });
});
