// Tests of @llmfs/nn on the wasm and cpu backends: hand-computed layers, gradients vs tfjs's own, no leaks.
import * as tf from '@tensorflow/tfjs';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  Dropout,
  Embedding,
  Linear,
  MissingParameterError,
  Module,
  Rng,
  ShapeMismatchError,
  batchMatMul,
  initBackend,
  matMul2d,
} from './index.js';

class Two extends Module {
  a = this.registerModule('a', new Linear(3, 2, { rng: new Rng(1) }));
  b = this.registerModule('b', new Linear(2, 4, { bias: false, rng: new Rng(2) }));
}

describe('initBackend', () => {
  it('loads wasm, logs once, is idempotent, rejects unknown names', async () => {
    const lines: string[] = [];
    expect(await initBackend('wasm', { log: (l) => lines.push(l) })).toBe('wasm');
    expect(await initBackend('wasm', { log: (l) => lines.push(l) })).toBe('wasm');
    expect(lines).toEqual(['llmfs: using the wasm backend']);
    await expect(initBackend('nope')).rejects.toBeInstanceOf(BackendError);
    await expect(initBackend('webgl')).rejects.toThrow(/webgl/);
  });
  it('auto in Node without tfjs-node falls back to wasm; LLMFS_BACKEND is read', async () => {
    expect(await initBackend('auto', { log: () => {} })).toBe('wasm');
    process.env.LLMFS_BACKEND = 'cpu';
    try {
      expect(await initBackend(undefined, { log: () => {} })).toBe('cpu');
    } finally {
      delete process.env.LLMFS_BACKEND;
    }
  });
});

describe('Rng', () => {
  it('is reproducible and restorable', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = [a.next(), a.next(), a.normal(), a.int(10)];
    expect([b.next(), b.next(), b.normal(), b.int(10)]).toEqual(xs);
    const s = a.getState();
    const n1 = [a.next(), a.next()];
    a.setState(s);
    expect([a.next(), a.next()]).toEqual(n1);
    expect(new Rng(43).next()).not.toBe(new Rng(42).next());
    // normal(): mean ~0, var ~1 over many draws
    const r = new Rng(7);
    let m = 0;
    let v = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      m += x;
      v += x * x;
    }
    expect(Math.abs(m / n)).toBeLessThan(0.03);
    expect(Math.abs(v / n - 1)).toBeLessThan(0.05);
  });
});

for (const backend of ['wasm', 'cpu']) {
  describe(`layers on ${backend}`, () => {
    it('Linear computes x W + b on 3-D input (hand-computed)', async () => {
      await initBackend(backend, { log: () => {} });
      const lin = new Linear(2, 3);
      lin.loadStateDict({
        weight: tf.tensor2d([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        bias: tf.tensor1d([0.5, -1, 0]),
      });
      const x = tf.tensor3d([[[1, 1]], [[2, -1]]]); // [2,1,2]
      const y = lin.forward(x);
      expect(y.shape).toEqual([2, 1, 3]);
      assertAllClose(await y.data(), [5.5, 6, 9, -1.5, -2, 0], 1e-6, 'linear');
      tf.dispose([x, y]);
      lin.dispose();
    });

    it('matMul2d / batchMatMul gradients equal tf.matMul gradients', async () => {
      await initBackend(backend, { log: () => {} });
      const r = new Rng(3);
      const rnd = (s: number[]) =>
        tf.tensor(
          Array.from({ length: s.reduce((a, b) => a * b) }, () => r.normal()),
          s,
        );
      const a = rnd([4, 5]);
      const b = rnd([5, 3]);
      const w = rnd([4, 3]);
      const f1 = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(matMul2d(x as tf.Tensor2D, y as tf.Tensor2D), w));
      const f2 = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w));
      const g1 = tf.grads(f1)([a, b]);
      const g2 = tf.grads(f2)([a, b]);
      for (let i = 0; i < 2; i++) assertAllClose(await g1[i].data(), await g2[i].data(), 1e-5, `grad ${i}`);
      const a3 = rnd([2, 4, 5]);
      const b3 = rnd([2, 5, 3]);
      const w3 = rnd([2, 4, 3]);
      const h1 = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D), w3)),
      )([a3, b3]);
      const h2 = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D), w3)),
      )([a3, b3]);
      for (let i = 0; i < 2; i++) assertAllClose(await h1[i].data(), await h2[i].data(), 1e-5, `bgrad ${i}`);
      expect(() => matMul2d(a as tf.Tensor2D, a as tf.Tensor2D)).toThrow(ShapeMismatchError);
      tf.dispose([a, b, w, a3, b3, w3, ...g1, ...g2, ...h1, ...h2]);
    });

    it('Embedding looks up rows and its gradient sums duplicate ids', async () => {
      await initBackend(backend, { log: () => {} });
      const emb = new Embedding(4, 2);
      emb.loadStateDict({
        weight: tf.tensor2d([
          [0, 1],
          [2, 3],
          [4, 5],
          [6, 7],
        ]),
      });
      const ids = tf.tensor2d(
        [
          [1, 3],
          [1, 0],
        ],
        [2, 2],
        'int32',
      );
      const y = emb.forward(ids);
      expect(y.shape).toEqual([2, 2, 2]);
      assertAllClose(await y.data(), [2, 3, 6, 7, 2, 3, 0, 1], 0, 'embedding');
      const coef = tf.tensor3d([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ]);
      const { grads, value } = tf.variableGrads(
        () => tf.sum(tf.mul(emb.forward(ids), coef)) as tf.Scalar,
        [emb.weight],
      );
      // row 0 <- (7,8); row 1 <- (1,2)+(5,6); row 2 <- 0; row 3 <- (3,4)
      assertAllClose(await grads[emb.weight.name].data(), [7, 8, 6, 8, 0, 0, 3, 4], 1e-6, 'embedding grad');
      tf.dispose([ids, y, coef, value, ...Object.values(grads)]);
      emb.dispose();
    });

    it('Dropout is seeded, scales by 1/(1-p), and is the identity in eval', async () => {
      await initBackend(backend, { log: () => {} });
      const x = tf.ones([1000]);
      const d1 = new Dropout(0.25, { rng: new Rng(5) });
      const d2 = new Dropout(0.25, { rng: new Rng(5) });
      const y1 = await d1.forward(x).data();
      const y2 = await d2.forward(x).data();
      expect(Array.from(y1)).toEqual(Array.from(y2));
      const kept = Array.from(y1).filter((v) => v !== 0);
      expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
      expect(kept.length).toBeGreaterThan(700);
      expect(kept.length).toBeLessThan(800);
      d1.eval();
      expect(d1.forward(x)).toBe(x);
      expect(() => new Dropout(1)).toThrow(/Dropout/);
      x.dispose();
    });

    it('a taped Dropout draws the mask it draws untaped and passes dy through it (dx = dy * mask / (1 - p))', async () => {
      await initBackend(backend, { log: () => {} });
      const x = tf.randomUniform([8, 64], 0.5, 1.5, 'float32', 3);
      const w = tf.randomNormal([8, 64], 0, 1, 'float32', 4);
      const untaped = await new Dropout(0.3, { rng: new Rng(9) }).forward(x).data();
      const d = new Dropout(0.3, { rng: new Rng(9) });
      const before = tf.memory().numTensors;
      const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => tf.sum(tf.mul(d.forward(xx), w)))(x);
      const [xs, ws, g] = [await x.data(), await w.data(), await grad.data()];
      const expected = Array.from(untaped, (y, i) => (ws[i] * y) / xs[i]);
      assertAllClose(g, expected, 1e-5, 'dropout gradient');
      const dropped = Array.from(untaped).filter((y) => y === 0).length;
      expect(dropped).toBeGreaterThan(100); // p=0.3 of 512 drops ~154: the mask is not all ones
      const expectedLoss = Array.from(untaped).reduce((s, y, i) => s + y * ws[i], 0);
      expect(Math.abs((await value.data())[0] - expectedLoss)).toBeLessThan(1e-3);
      tf.dispose([value, grad]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
    });
  });
}

describe('Module', () => {
  it('names parameters with dot paths, loads state dicts strictly, freezes', async () => {
    await initBackend('wasm', { log: () => {} });
    const m = new Two();
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['a.weight', [3, 2]],
      ['a.bias', [2]],
      ['b.weight', [2, 4]],
    ]);
    expect(m.numParameters()).toBe(6 + 2 + 8);
    expect(m.stateDict().get('a.bias')).toBe(m.a.bias);
    expect(() => m.loadStateDict({ 'a.weight': tf.zeros([3, 2]) })).toThrow(MissingParameterError);
    expect(() =>
      m.loadStateDict({
        'a.weight': tf.zeros([2, 3]),
        'a.bias': tf.zeros([2]),
        'b.weight': tf.zeros([2, 4]),
      }),
    ).toThrow(/a\.weight.*\[2,3\]/);
    expect(() =>
      m.loadStateDict({
        'a.weight': tf.zeros([3, 2]),
        'a.bias': tf.zeros([2]),
        'b.weight': tf.zeros([2, 4]),
        extra: tf.zeros([1]),
      }),
    ).toThrow(/extra/);
    m.loadStateDict({ 'a.bias': tf.tensor1d([1, 2]) }, { strict: false });
    assertAllClose(await m.a.bias!.data(), [1, 2], 0);
    m.setTrainable(false);
    expect(m.numParameters({ trainableOnly: true })).toBe(0);
    m.b.setTrainable(true);
    expect(m.trainableParameters().map(([n]) => n)).toEqual(['b.weight']);
    m.eval();
    expect(m.a.training).toBe(false);
    const old = m.b;
    const nb = m.replaceModule('b', new Linear(2, 5, { rng: new Rng(3) }));
    expect(m.b).toBe(nb);
    expect(m.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([
      ['a.weight', [3, 2]],
      ['a.bias', [2]],
      ['b.weight', [2, 5]],
      ['b.bias', [5]],
    ]);
    expect(() => m.replaceModule('zz', nb)).toThrow(/zz/);
    old.dispose();
    m.dispose();
  });

  it('a Linear forward+backward leaks no tensors', async () => {
    await initBackend('wasm', { log: () => {} });
    const lin = new Linear(8, 4);
    const x = tf.randomNormal([2, 3, 8]);
    await assertNoTensorLeak(tf, 5, () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(lin.forward(x)) as tf.Scalar, lin.parameters());
      tf.dispose([value, ...Object.values(grads)]);
    });
    x.dispose();
    lin.dispose();
  });
});

describe('Rng bulk fills', () => {
  it('fillUniform follows the next() stream; fillNormal has mean 0, variance 1', () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const u = a.fillUniform(new Float32Array(5), -2, 2);
    const want = Array.from({ length: 5 }, () => -2 + 4 * b.next());
    want.forEach((w, i) => expect(Math.abs(u[i] - w)).toBeLessThan(1e-6));
    expect(a.getState()).toEqual(b.getState());
    const z = new Rng(12).fillNormal(new Float32Array(20001));
    const m = z.reduce((s, v) => s + v, 0) / z.length;
    const v = z.reduce((s, x) => s + (x - m) ** 2, 0) / z.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
