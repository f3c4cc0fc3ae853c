// MultiHeadAttention has the book's W_query, W_key and W_value (listing 3.5), and its output is the
// book's formula computed here step by step from the gpt-tiny fixture's block-0 weights.
import * as tf from '@tensorflow/tfjs';
import { Linear, Rng, initBackend } from '@llmfs/nn';
import { assertAllClose, assertNoTensorLeak, gptTinyStateDict } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { MultiHeadAttention } from './index.js';

describe("MultiHeadAttention's W_query, W_key, W_value (wasm)", () => {
  it('are three Linears d_in -> d_out with the book state-dict names', async () => {
    await initBackend('wasm', { log: () => {} });
    const mha = new MultiHeadAttention(6, 8, 10, 0.0, 2, true);
    for (const w of [mha.W_query, mha.W_key, mha.W_value]) {
      expect(w).toBeInstanceOf(Linear);
      expect([w.inFeatures, w.outFeatures]).toEqual([6, 8]);
      expect(w.weight.shape).toEqual([6, 8]); // stored [in, out]: the book's nn.Linear weight transposed
      expect(w.bias!.shape).toEqual([8]);
    }
    expect(mha.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ['W_query.weight', [6, 8]],
      ['W_query.bias', [8]],
      ['W_key.weight', [6, 8]],
      ['W_key.bias', [8]],
      ['W_value.weight', [6, 8]],
      ['W_value.bias', [8]],
      ['out_proj.weight', [8, 8]],
      ['out_proj.bias', [8]],
    ]);
    mha.dispose();
    const noBias = new MultiHeadAttention(6, 8, 10, 0.0, 2, false);
    expect(noBias.namedParameters().map(([n]) => n)).toEqual([
      'W_query.weight',
      'W_key.weight',
      'W_value.weight',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    noBias.dispose();
  });

  it('computes the book formula on the gpt-tiny weights (1e-5)', async () => {
    await initBackend('wasm', { log: () => {} });
    const sd = gptTinyStateDict();
    const [d, h, t, b] = [32, 4, 5, 2];
    const hd = d / h;
    const p = (name: string) => {
      const r = sd.get(`trf_blocks.0.att.${name}`)!;
      return tf.tensor(r.data, r.shape, 'float32');
    };
    const names = ['W_query', 'W_key', 'W_value', 'out_proj'].flatMap((n) => [`${n}.weight`, `${n}.bias`]);
    const weights = Object.fromEntries(names.map((n) => [n, p(n)]));
    const rng = new Rng(7);
    const x = tf.tensor3d(
      Array.from({ length: b * t * d }, () => rng.next() * 2 - 1),
      [b, t, d],
    );
    await assertNoTensorLeak(tf, 2, async () => {
      const mha = new MultiHeadAttention(d, d, 32, 0.0, h, true);
      mha.loadStateDict(weights);
      const y = mha.forward(x);
      // the book's forward, one step at a time
      const expected = tf.tidy(() => {
        const proj = (n: string) =>
          tf.add(tf.matMul(tf.reshape(x, [b * t, d]), weights[`${n}.weight`]), weights[`${n}.bias`]);
        // (B*T, d) -> (B, T, H, hd) -> (B, H, T, hd)
        const heads = (z: tf.Tensor) => tf.transpose(tf.reshape(z, [b, t, h, hd]), [0, 2, 1, 3]);
        const queries = heads(proj('W_query'));
        const keys = heads(proj('W_key'));
        const values = heads(proj('W_value'));
        const scores = tf.matMul(queries, keys, false, true); // (B, H, T, T)
        const mask = tf.tensor2d(
          Array.from({ length: t * t }, (_, i) => (i % t > Math.floor(i / t) ? -Infinity : 0)),
          [t, t],
        );
        const attn = tf.softmax(tf.div(tf.add(scores, mask), Math.sqrt(hd)));
        const ctx = tf.reshape(tf.transpose(tf.matMul(attn, values), [0, 2, 1, 3]), [b * t, d]); // (B, T, d)
        return tf.reshape(tf.add(tf.matMul(ctx, weights['out_proj.weight']), weights['out_proj.bias']), [
          b,
          t,
          d,
        ]);
      });
      assertAllClose(await y.data(), await expected.data(), 1e-5, 'MultiHeadAttention vs the book formula');
      tf.dispose([y, expected]);
      mha.dispose();
    });
    tf.dispose([x, ...Object.values(weights)]);
  });
});
