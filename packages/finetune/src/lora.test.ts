import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, Rng, initBackend } from '@llmfs/nn';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { LoRALayer } from './lora-layer.js';
import { LinearWithLoRA } from './linear-with-lora.js';
import { findLoraLayers, mergeLora, replaceLinearWithLora } from './replace-linear-with-lora.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** Plain-JS matmul of row-major a [n, k] and b [k, m]. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * m + j];
      out[i * m + j] = s;
    }
  return out;
}

function randomData(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

class Toy extends Module {
  readonly fc: Linear;
  readonly proj: Linear;
  constructor() {
    super();
    this.fc = this.registerModule('fc', new Linear(4, 6, { rng: new Rng(1) }));
    this.proj = this.registerModule('proj', new Linear(6, 3, { bias: false, rng: new Rng(2) }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.proj.forward(tf.relu(this.fc.forward(x))));
  }
}

describe('LoRALayer (appendix E.4)', () => {
  it('starts with A ~ U(+-1/sqrt(rank)), B = 0, and computes (alpha/rank) x A B', () => {
    const lora = new LoRALayer(5, 3, 4, 8);
    const A = lora.A.dataSync();
    expect(lora.A.shape).toEqual([5, 4]);
    expect(lora.B.shape).toEqual([4, 3]);
    expect(Math.max(...A.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...A.map(Math.abs))).toBeGreaterThan(0.3);
    expect(Array.from(lora.B.dataSync())).toEqual(new Array(12).fill(0));
    const B = randomData(12, 9);
    lora.B.assign(tf.tensor(B, [4, 3]));
    const x = randomData(2 * 5, 3);
    const y = tf.tidy(() => lora.forward(tf.tensor(x, [2, 5])));
    const want = matmul(matmul(x, A, 2, 5, 4), B, 2, 4, 3).map((v) => v * 2);
    assertAllClose(y.dataSync(), want, 1e-5, 'lora(x)');
    y.dispose();
    lora.dispose();
  });
});

describe('LinearWithLoRA and replaceLinearWithLora', () => {
  it('adds the adapter to the frozen base; with parts, one adapter per column block', () => {
    const base = new Linear(4, 6, { rng: new Rng(5) });
    const wrapped = new LinearWithLoRA(base, 2, 4, { parts: 3 });
    expect(wrapped.namedParameters().map(([n, v]) => [n, v.shape, v.trainable])).toEqual([
      ['weight', [4, 6], false],
      ['bias', [6], false],
      ['lora.0.A', [4, 2], true],
      ['lora.0.B', [2, 2], true],
      ['lora.1.A', [4, 2], true],
      ['lora.1.B', [2, 2], true],
      ['lora.2.A', [4, 2], true],
      ['lora.2.B', [2, 2], true],
    ]);
    const x = tf.tensor(randomData(3 * 4, 4), [3, 4]);
    const before = base.forward(x);
    const fresh = wrapped.forward(x);
    assertAllClose(fresh.dataSync(), before.dataSync(), 0, 'fresh adapter');
    wrapped.loras.forEach((l, i) => l.B.assign(tf.tensor(randomData(4, 20 + i), [2, 2])));
    const y = wrapped.forward(x).dataSync();
    const xs = x.dataSync();
    const b = before.dataSync();
    for (let p = 0; p < 3; p++) {
      const l = wrapped.loras[p];
      const d = matmul(matmul(xs, l.A.dataSync(), 3, 4, 2), l.B.dataSync(), 3, 2, 2);
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 2; c++) {
          expect(y[r * 6 + p * 2 + c]).toBeCloseTo(b[r * 6 + p * 2 + c] + 2 * d[r * 2 + c], 5);
        }
    }
    tf.dispose([x, before, fresh]);
    wrapped.dispose();
  });

  it('wraps every Linear, freezes the base, keeps base names, merges back exactly', async () => {
    const toy = new Toy();
    const x = tf.tensor(randomData(2 * 4, 11), [2, 4]);
    const y0 = toy.forward(x);
    const baseNames = toy.namedParameters().map(([n]) => n);
    replaceLinearWithLora(toy, 2, 2);
    expect(toy.fc).toBeInstanceOf(LinearWithLoRA);
    expect(toy.proj).toBeInstanceOf(LinearWithLoRA);
    expect(findLoraLayers(toy).map(([n]) => n)).toEqual(['fc', 'proj']);
    expect(
      toy
        .namedParameters()
        .filter(([n]) => !n.includes('.lora.'))
        .map(([n]) => n),
    ).toEqual(baseNames);
    // fc: 2*(4+6); proj: 2*(6+3)
    expect(toy.numParameters({ trainableOnly: true })).toBe(2 * (4 + 6) + 2 * (6 + 3));
    const y1 = toy.forward(x);
    assertAllClose(y1.dataSync(), y0.dataSync(), 0, 'fresh adapters');
    for (const [, l] of findLoraLayers(toy))
      for (const a of l.loras) a.B.assign(tf.randomNormal(a.B.shape, 0, 0.5, 'float32', 3));
    const y2 = toy.forward(x);
    expect(Math.max(...tf.sub(y2, y0).abs().dataSync())).toBeGreaterThan(1e-3);
    await assertNoTensorLeak(tf, 3, () => tf.dispose(toy.forward(x)));
    const n = tf.memory().numTensors;
    mergeLora(toy);
    expect(tf.memory().numTensors).toBe(n - 4); // A and B of the 2 adapters disposed
    expect(toy.fc).toBeInstanceOf(Linear);
    expect(toy.namedParameters().map(([n]) => n)).toEqual(baseNames);
    const y3 = toy.forward(x);
    assertAllClose(y3.dataSync(), y2.dataSync(), 1e-5, 'merged');
    tf.dispose([x, y0, y1, y2, y3]);
    toy.dispose();
  });
});
