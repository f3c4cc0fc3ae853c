// Chapter 3 attention against a naive float64 reference written in the test (plain loops), on wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { Rng, ShapeMismatchError, initBackend } from '@llmfs/nn';
import { assertAllClose, assertNoTensorLeak, maxAbsDiff } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import {
  CausalAttention,
  KVCache,
  MultiHeadAttention,
  MultiHeadAttentionWrapper,
  SelfAttentionV1,
  SelfAttentionV2,
} from './index.js';

type M = number[][];
const matmul = (a: M, b: M): M => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: M): M => a[0].map((_, j) => a.map((r) => r[j]));
const softmaxRows = (a: M): M =>
  a.map((r) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  });
/** Reference attention of one sequence: softmax(mask(Q K^T / sqrt(d))) V. */
function refAttention(x: M, wq: M, wk: M, wv: M, causal: boolean): M {
  const q = matmul(x, wq);
  const k = matmul(x, wk);
  const v = matmul(x, wv);
  const d = wq[0].length;
  const s = matmul(q, transpose(k)).map((r, i) =>
    r.map((val, j) => (causal && j > i ? -Infinity : val / Math.sqrt(d))),
  );
  return matmul(softmaxRows(s), v);
}
const randM = (r: Rng, n: number, m: number): M =>
  Array.from({ length: n }, () => Array.from({ length: m }, () => r.normal()));
const arr2 = async (t: tf.Tensor): Promise<M> => (await t.array()) as M;

// The book's six 3-d embeddings of "Your journey starts with one step".
const INPUTS: M = [
  [0.43, 0.15, 0.89],
  [0.55, 0.87, 0.66],
  [0.57, 0.85, 0.64],
  [0.22, 0.58, 0.33],
  [0.77, 0.25, 0.1],
  [0.05, 0.8, 0.55],
];

for (const backend of ['wasm', 'cpu']) {
  describe(`attention on ${backend}`, () => {
    it('SelfAttentionV1 equals the reference, and V2 with the same weights equals V1', async () => {
      await initBackend(backend, { log: () => {} });
      const sa1 = new SelfAttentionV1(3, 2, { rng: new Rng(789) });
      const x = tf.tensor2d(INPUTS);
      const y1 = sa1.forward(x);
      const ref = refAttention(
        INPUTS,
        await arr2(sa1.W_query),
        await arr2(sa1.W_key),
        await arr2(sa1.W_value),
        false,
      );
      assertAllClose((await arr2(y1)).flat(), ref.flat(), 1e-5, 'SelfAttentionV1');
      const sa2 = new SelfAttentionV2(3, 2);
      sa2.loadStateDict({
        'W_query.weight': sa1.W_query,
        'W_key.weight': sa1.W_key,
        'W_value.weight': sa1.W_value,
      });
      const y2 = sa2.forward(x);
      assertAllClose(await y2.data(), await y1.data(), 1e-6, 'SelfAttentionV2');
      tf.dispose([x, y1, y2]);
      sa1.dispose();
      sa2.dispose();
    });

    it('CausalAttention equals the masked reference for each batch row; weights are causal', async () => {
      await initBackend(backend, { log: () => {} });
      const ca = new CausalAttention(3, 2, 6, 0.0, false, { rng: new Rng(1) });
      const rows = [INPUTS, randM(new Rng(2), 6, 3)];
      const x = tf.tensor3d(rows);
      const y = ca.forward(x, { returnWeights: true });
      expect(y.shape).toEqual([2, 6, 2]);
      const wq = await arr2(ca.W_query.weight);
      const wk = await arr2(ca.W_key.weight);
      const wv = await arr2(ca.W_value.weight);
      const got = (await y.array()) as number[][][];
      rows.forEach((r, b) =>
        assertAllClose(
          got[b].flat(),
          refAttention(r, wq, wk, wv, true).flat(),
          1e-5,
          `CausalAttention row ${b}`,
        ),
      );
      const w = (await ca.lastAttentionWeights!.array()) as number[][][];
      for (const m of w)
        m.forEach((r, i) => {
          expect(Math.abs(r.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
          r.forEach((v, j) => j > i && expect(v).toBe(0));
        });
      tf.dispose([x, y, ca.lastAttentionWeights!]);
      ca.dispose();
    });

    it('MultiHeadAttention equals the wrapper with the same weights (out_proj = identity)', async () => {
      await initBackend(backend, { log: () => {} });
      const nh = 3;
      const dh = 4;
      const wrapper = new MultiHeadAttentionWrapper(5, dh, 8, 0.0, nh, true, { rng: new Rng(3) });
      const mha = new MultiHeadAttention(5, nh * dh, 8, 0.0, nh, true, { rng: new Rng(4) });
      // each projection's columns: head 0 | head 1 | head 2
      const part = (name: 'W_query' | 'W_key' | 'W_value', what: 'weight' | 'bias') =>
        tf.concat(
          wrapper.heads.map((h) => h[name][what]!),
          -1,
        );
      const parts = (['W_query', 'W_key', 'W_value'] as const).flatMap((n) => [
        [`${n}.weight`, part(n, 'weight')] as const,
        [`${n}.bias`, part(n, 'bias')] as const,
      ]);
      mha.loadStateDict({
        ...Object.fromEntries(parts),
        'out_proj.weight': tf.eye(nh * dh),
        'out_proj.bias': tf.zeros([nh * dh]),
      });
      const x = tf.tensor3d([randM(new Rng(5), 7, 5), randM(new Rng(6), 7, 5)]);
      const a = wrapper.forward(x);
      const b = mha.forward(x);
      expect(b.shape).toEqual([2, 7, nh * dh]);
      expect(maxAbsDiff(await a.data(), await b.data())).toBeLessThan(1e-5);
      tf.dispose([...parts.map(([, t]) => t), x, a, b]);
      wrapper.dispose();
      mha.dispose();
    });

    it('MultiHeadAttention is causal and its KV cache reproduces the full pass', async () => {
      await initBackend(backend, { log: () => {} });
      const mha = new MultiHeadAttention(8, 8, 16, 0.0, 2, false, { rng: new Rng(7) });
      const base = randM(new Rng(8), 10, 8);
      const changed = base.map((r, i) => (i === 6 ? r.map((v) => v + 1) : r));
      const x1 = tf.tensor3d([base]);
      const x2 = tf.tensor3d([changed]);
      const y1 = (await mha.forward(x1).array()) as number[][][];
      const y2 = (await mha.forward(x2).array()) as number[][][];
      assertAllClose(
        y1[0].slice(0, 6).flat(),
        y2[0].slice(0, 6).flat(),
        0,
        'outputs before the changed token',
      );
      expect(maxAbsDiff(y1[0][6], y2[0][6])).toBeGreaterThan(1e-3);
      // incremental: 3 tokens, then one at a time, through a KV cache
      const cache = new KVCache();
      const parts: tf.Tensor[] = [mha.forward(tf.tensor3d([base.slice(0, 3)]), { cache })];
      for (let i = 3; i < 10; i++) parts.push(mha.forward(tf.tensor3d([[base[i]]]), { cache }));
      expect(cache.length).toBe(10);
      const inc = tf.concat(parts, 1);
      assertAllClose(await inc.data(), y1.flat(2), 1e-5, 'cached vs full');
      cache.reset();
      expect(cache.length).toBe(0);
      tf.dispose([x1, x2, inc, ...parts]);
      mha.dispose();
    });
  });
}

describe('MultiHeadAttention details (wasm)', () => {
  it('returns [B, H, T, T] causal weights; dropout acts in training only', async () => {
    await initBackend('wasm', { log: () => {} });
    const mha = new MultiHeadAttention(4, 4, 8, 0.5, 2, false, { rng: new Rng(9) });
    const x = tf.tensor3d([randM(new Rng(10), 5, 4)]);
    mha.eval();
    const y = mha.forward(x, { returnWeights: true });
    const w = mha.lastAttentionWeights!;
    expect(w.shape).toEqual([1, 2, 5, 5]);
    const wa = (await w.array()) as number[][][][];
    wa[0].forEach((m) => m.forEach((r, i) => r.forEach((v, j) => j > i && expect(v).toBe(0))));
    mha.train();
    const yt = mha.forward(x, { returnWeights: true });
    const wt = (await mha.lastAttentionWeights!.data()) as Float32Array;
    const we = (await w.data()) as Float32Array;
    let zeroed = 0;
    wt.forEach((v, i) => {
      if (we[i] > 0 && v === 0) zeroed++;
      else if (we[i] > 0) expect(Math.abs(v - 2 * we[i])).toBeLessThan(1e-6); // kept ones scaled by 1/(1-p)
    });
    expect(zeroed).toBeGreaterThan(0);
    expect(maxAbsDiff(await y.data(), await yt.data())).toBeGreaterThan(0);
    tf.dispose([x, y, yt, w, mha.lastAttentionWeights!]);
    expect(() => new MultiHeadAttention(4, 6, 8, 0, 4)).toThrow(/divisible/);
    mha.dispose();
  });

  it('checks contextLength as CausalAttention does, cached positions included', async () => {
    await initBackend('wasm', { log: () => {} });
    const mha = new MultiHeadAttention(4, 4, 4, 0, 2, false, { rng: new Rng(9) });
    const causal = new CausalAttention(4, 4, 4, 0, false, { rng: new Rng(9) });
    const x5 = tf.tensor3d([randM(new Rng(10), 5, 4)]);
    expect(() => causal.forward(x5)).toThrow(ShapeMismatchError);
    expect(() => mha.forward(x5)).toThrow(ShapeMismatchError);
    expect(() => mha.forward(x5)).toThrow('MultiHeadAttention: 5 positions exceed contextLength 4');
    const cache = new KVCache();
    const x3 = tf.tensor3d([randM(new Rng(11), 3, 4)]);
    tf.dispose(mha.forward(x3, { cache })); // 3 of 4 positions
    const x2 = tf.tensor3d([randM(new Rng(12), 2, 4)]);
    expect(() => mha.forward(x2, { cache })).toThrow('5 positions exceed contextLength 4');
    expect(cache.length).toBe(3); // the refused call appended nothing
    tf.dispose([x5, x3, x2]);
    cache.reset();
    mha.dispose();
    causal.dispose();
  });

  it('forward + backward through MultiHeadAttention leaks no tensors', async () => {
    await initBackend('wasm', { log: () => {} });
    const mha = new MultiHeadAttention(6, 6, 32, 0.1, 2, true, { rng: new Rng(11) });
    const x = tf.randomNormal([2, 24, 6]) as tf.Tensor3D;
    await assertNoTensorLeak(tf, 5, () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(mha.forward(x)) as tf.Scalar, mha.parameters());
      tf.dispose([value, ...Object.values(grads)]);
    });
    tf.dispose(x);
    mha.dispose();
  });

  it('input gradients of MultiHeadAttention equal the wrapper gradients at a size that splits batched products', async () => {
    await initBackend('wasm', { log: () => {} });
    const nh = 2;
    const dh = 32;
    const wrapper = new MultiHeadAttentionWrapper(16, dh, 64, 0.0, nh, false, { rng: new Rng(12) });
    const mha = new MultiHeadAttention(16, nh * dh, 64, 0.0, nh, false, { rng: new Rng(13) });
    const part = (name: 'W_query' | 'W_key' | 'W_value') =>
      tf.concat(
        wrapper.heads.map((h) => h[name].weight),
        -1,
      );
    const [wq, wk, wv] = [part('W_query'), part('W_key'), part('W_value')];
    mha.loadStateDict({
      'W_query.weight': wq,
      'W_key.weight': wk,
      'W_value.weight': wv,
      'out_proj.weight': tf.eye(nh * dh),
      'out_proj.bias': tf.zeros([nh * dh]),
    });
    const x = tf.randomNormal([2, 64, 16]) as tf.Tensor3D;
    const coef = tf.randomNormal([2, 64, nh * dh]);
    const gw = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(wrapper.forward(z as tf.Tensor3D), coef)))(x);
    const gm = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(mha.forward(z as tf.Tensor3D), coef)))(x);
    expect(maxAbsDiff(await gw.data(), await gm.data())).toBeLessThan(1e-4);
    tf.dispose([wq, wk, wv, x, coef, gw, gm]);
    wrapper.dispose();
    mha.dispose();
  });
});
