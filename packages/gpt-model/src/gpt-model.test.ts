// GPT model: counts, configs, layers against hand-computed values, generation paths, input errors, no leaks.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { assertAllClose, gptTinyExpected, tensorCounts } from '@llmfs/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { GPT_TINY_CFG, loadGptTiny } from '../test/gpt-tiny.js';
import {
  ConfigError,
  FeedForward,
  GELU,
  GPT2_CONFIGS,
  GPT_CONFIG_124M,
  GPTModel,
  LayerNorm,
  ModelInputError,
  countParameters,
  generate,
  generateStream,
  generateTextSimple,
  getConfig,
  modelMemoryBytes,
} from './index.js';
import { sampleNextToken } from './sampling.js';
import { Linear, Rng } from '@llmfs/nn';

const expected = gptTinyExpected();

describe('configs and counts (book section 4.6)', () => {
  it('GPT-2 124M has 163,009,536 parameters, 124,412,160 tied, 621.83 MB', () => {
    expect(countParameters(GPT_CONFIG_124M)).toBe(163_009_536);
    expect(countParameters(GPT_CONFIG_124M, { tiedHead: true })).toBe(124_412_160);
    expect((modelMemoryBytes(GPT_CONFIG_124M) / 1024 / 1024).toFixed(2)).toBe('621.83');
    expect(countParameters(GPT_TINY_CFG)).toBe(expected.parameter_count_untied);
  });
  it('getConfig resolves names and aliases; unknown names throw ConfigError', () => {
    expect(getConfig('124M')).toEqual(GPT2_CONFIGS.gpt2);
    expect(getConfig('gpt2-small').embDim).toBe(768);
    expect(getConfig('355M')).toMatchObject({ embDim: 1024, nLayers: 24, nHeads: 16, contextLength: 1024 });
    expect(getConfig('gpt2-large')).toMatchObject({ embDim: 1280, nLayers: 36, nHeads: 20 });
    expect(getConfig('1558M')).toMatchObject({ embDim: 1600, nLayers: 48, nHeads: 25 });
    expect(() => getConfig('gpt5')).toThrow(ConfigError);
    expect(() => new GPTModel({ ...GPT_TINY_CFG, nHeads: 5 })).toThrow(/divisible/);
  });
});

describe('layers (hand-computed)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });
  it('LayerNorm normalises with the biased variance and eps 1e-5', async () => {
    const ln = new LayerNorm(4);
    const x = tf.tensor2d([[1, 2, 3, 4]]);
    // mean 2.5, biased var 1.25
    const want = [1, 2, 3, 4].map((v) => (v - 2.5) / Math.sqrt(1.25 + 1e-5));
    const y = ln.forward(x);
    assertAllClose(await y.data(), want, 1e-6, 'layernorm');
    tf.dispose([x, y]);
    ln.dispose();
  });
  it('GELU is the tanh approximation', async () => {
    const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
    const ref = xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))));
    const x = tf.tensor1d(xs);
    const y = new GELU().forward(x);
    assertAllClose(await y.data(), ref, 1e-6, 'gelu');
    tf.dispose([x, y]);
  });
  it('inference kernels (fused matmul, LayerNorm, GELU) equal the composite ops used under a tape', async () => {
    const r = new Rng(5);
    const ln = new LayerNorm(32);
    ln.loadStateDict({
      scale: tf.tensor1d(r.fillNormal(new Float32Array(32))),
      shift: tf.tensor1d(r.fillNormal(new Float32Array(32))),
    });
    const ff = new FeedForward(32, { rng: r });
    const x = tf.tensor3d(r.fillNormal(new Float32Array(2 * 5 * 32), 0, 3), [2, 5, 32]);
    let taped: ArrayLike<number> = [];
    const { value, grads } = tf.variableGrads(() => {
      const y = ff.forward(ln.forward(x));
      taped = y.dataSync();
      return tf.sum(y) as tf.Scalar;
    }, [...ln.parameters(), ...ff.parameters()]);
    const plain = ff.forward(ln.forward(x));
    assertAllClose(await plain.data(), taped, 1e-5, 'inference vs taped');
    tf.dispose([x, value, plain, ...Object.values(grads)]);
    ln.dispose();
    ff.dispose();
  });

  it('the state dict has the documented names and shapes', () => {
    const m = new GPTModel({ ...GPT_TINY_CFG, vocabSize: 100 });
    const sd = m.stateDict();
    const shapes = Object.fromEntries([...sd].map(([n, v]) => [n, v.shape]));
    expect(shapes['tok_emb.weight']).toEqual([100, 32]);
    expect(shapes['pos_emb.weight']).toEqual([32, 32]);
    for (const n of ['W_query', 'W_key', 'W_value']) {
      expect(shapes[`trf_blocks.1.att.${n}.weight`]).toEqual([32, 32]);
      expect(shapes[`trf_blocks.1.att.${n}.bias`]).toEqual([32]);
    }
    expect(shapes['trf_blocks.0.att.out_proj.weight']).toEqual([32, 32]);
    expect(shapes['trf_blocks.0.ff.layers.0.weight']).toEqual([32, 128]);
    expect(shapes['trf_blocks.0.ff.layers.2.weight']).toEqual([128, 32]);
    expect(shapes['trf_blocks.0.norm1.scale']).toEqual([32]);
    expect(shapes['final_norm.shift']).toEqual([32]);
    expect(shapes['out_head.weight']).toEqual([32, 100]);
    expect(sd.size).toBe(2 + 2 * 16 + 2 + 1);
    expect(m.numParameters()).toBe(countParameters({ ...GPT_TINY_CFG, vocabSize: 100 }));
    // chapter 6: a classifier head replaces out_head; logits take its width
    const old = m.out_head;
    m.replaceModule('out_head', new Linear(32, 2));
    old.dispose();
    const ids = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32') as tf.Tensor2D;
    const y = m.forward(ids);
    expect(y.shape).toEqual([1, 3, 2]);
    tf.dispose([ids, y]);
    m.dispose();
  });
});

for (const backend of ['wasm', 'cpu']) {
  describe(`generation with gpt-tiny on ${backend}`, () => {
    it('greedy ids equal the book: generateTextSimple, generate with and without the cache', async () => {
      await initBackend(backend, { log: () => {} });
      const model = loadGptTiny();
      const g = expected.generate_greedy;
      expect(generateTextSimple(model, [g.prompt_ids], g.max_new_tokens, 32)).toEqual([g.output_ids]);
      expect(
        await generate(model, { idx: [g.prompt_ids], maxNewTokens: g.max_new_tokens, useCache: false }),
      ).toEqual([g.output_ids]);
      expect(
        await generate(model, { idx: [g.prompt_ids], maxNewTokens: g.max_new_tokens, useCache: true }),
      ).toEqual([g.output_ids]);
      model.dispose();
    });
  });
}

describe('generation details (wasm)', () => {
  let model: GPTModel;
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
    model = loadGptTiny();
  });

  it('crops past the context length: 40 new tokens on a 32-token model, cached == uncached == simple', async () => {
    const prompt = [expected.forward.input_ids[0].slice(0, 20)];
    const simple = generateTextSimple(model, prompt, 40, 32);
    expect(simple[0].length).toBe(60);
    expect(await generate(model, { idx: prompt, maxNewTokens: 40, useCache: true })).toEqual(simple);
    expect(await generate(model, { idx: prompt, maxNewTokens: 40, useCache: false })).toEqual(simple);
    // a prompt longer than the context is cropped too
    const long = [expected.forward.input_ids.flat().slice(0, 50)];
    expect(await generate(model, { idx: long, maxNewTokens: 3 })).toEqual(
      generateTextSimple(model, long, 3, 32),
    );
    // a smaller contextSize is honoured by both paths
    expect(await generate(model, { idx: prompt, maxNewTokens: 6, contextSize: 8 })).toEqual(
      generateTextSimple(model, prompt, 6, 8),
    );
  });

  it('batched prompts generate row by row the same ids', async () => {
    const rows = [expected.forward.input_ids[0].slice(0, 5), expected.forward.input_ids[1].slice(0, 5)];
    const both = await generate(model, { idx: rows, maxNewTokens: 5 });
    expect(both[0]).toEqual((await generate(model, { idx: [rows[0]], maxNewTokens: 5 }))[0]);
    expect(both[1]).toEqual((await generate(model, { idx: [rows[1]], maxNewTokens: 5 }))[0]);
  });

  it('sampling is seeded; top-k 1 is greedy; eosId stops; streaming equals generate', async () => {
    const g = expected.generate_greedy;
    const opts = { idx: [g.prompt_ids], maxNewTokens: 10, temperature: 1.5, topK: 50, topP: 0.95, seed: 7 };
    const a = await generate(model, opts);
    const b = await generate(model, opts);
    expect(a).toEqual(b);
    const c = await generate(model, { ...opts, seed: 8 });
    expect(c).not.toEqual(a);
    expect(await generate(model, { ...opts, topK: 1 })).toEqual([g.output_ids.slice(0, 14)]);
    // greedy produces 760 then 13: eosId 13 stops before appending it
    expect(await generate(model, { idx: [g.prompt_ids], maxNewTokens: 10, eosId: 13 })).toEqual([
      [...g.prompt_ids, 760],
    ]);
    const streamed: number[] = [];
    const seen: number[] = [];
    for await (const id of generateStream(model, { ...opts, onToken: (id) => seen.push(id) }))
      streamed.push(id);
    expect([...g.prompt_ids, ...streamed]).toEqual(a[0]);
    expect(seen).toEqual(streamed);
  });

  it('sampleNextToken: top-k keeps only the k largest, top-p the nucleus', () => {
    const logits = [0, 5, 1, 4.9, -2];
    const rng = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(sampleNextToken(logits, { temperature: 5, topK: 2 }, rng));
    expect([...seen].sort()).toEqual([1, 3]);
    const seenP = new Set<number>();
    // probabilities at T=1: 1 and 3 hold ~0.98 of the mass
    for (let i = 0; i < 300; i++) seenP.add(sampleNextToken(logits, { temperature: 1, topP: 0.9 }, rng));
    expect([...seenP].sort()).toEqual([1, 3]);
    expect(sampleNextToken(logits, { temperature: 0 }, rng)).toBe(1);
  });

  it('ids out of range, bad dtypes or shapes are ModelInputError before the embedding', () => {
    const bad = tf.tensor2d([[1, 50257]], [1, 2], 'int32') as tf.Tensor2D;
    expect(() => model.forward(bad)).toThrow(ModelInputError);
    expect(() => model.forward(bad)).toThrow(/50257/);
    const neg = tf.tensor2d([[-1]], [1, 1], 'int32') as tf.Tensor2D;
    expect(() => model.forward(neg)).toThrow(ModelInputError);
    const flt = tf.tensor2d([[1]], [1, 1], 'float32') as tf.Tensor2D;
    expect(() => model.forward(flt)).toThrow(/int32/);
    const long = tf.zeros([1, 33], 'int32') as tf.Tensor2D;
    expect(() => model.forward(long)).toThrow(/context length 32/);
    tf.dispose([bad, neg, flt, long]);
  });
});

describe('training passes (wasm)', () => {
  it('50 forward+backward passes keep tf.memory().numTensors flat (dropout on)', async () => {
    await initBackend('wasm', { log: () => {} });
    const model = new GPTModel({ ...GPT_TINY_CFG, vocabSize: 300, dropRate: 0.1 }).train();
    const ids = tf.tensor2d(
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [9, 10, 11, 12, 13, 14, 15, 16],
      ],
      undefined,
      'int32',
    ) as tf.Tensor2D;
    const targets = tf.tensor1d([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], 'int32');
    const params = model.trainableParameters().map(([, v]) => v);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const logits = tf.reshape(model.forward(ids), [16, 300]); // (B,T,V) -> (B*T, V)
          const lp = tf.logSoftmax(logits);
          const flat = tf.add(tf.mul(tf.range(0, 16, 1, 'int32'), tf.scalar(300, 'int32')), targets);
          return tf.neg(tf.mean(tf.gather(tf.reshape(lp, [-1]), flat))) as tf.Scalar;
        }, params);
        expect(Object.keys(grads).length).toBe(params.length);
        value.dataSync();
      });
    step();
    const before = tf.memory().numTensors;
    const counts = await tensorCounts(tf, 50, step);
    expect(counts.every((c) => c === before)).toBe(true);
    tf.dispose([ids, targets]);
    model.dispose();
  });
});
