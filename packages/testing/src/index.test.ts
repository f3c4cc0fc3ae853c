import { describe, expect, test } from 'vitest';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import {
  assertAllClose,
  assertNoTensorLeak,
  fixturePath,
  gptTinyExpected,
  makeTempDir,
  maxAbsDiff,
  theVerdict,
} from './index.js';

describe('fixtures', () => {
  test('the copied fixtures are the ones the README of gpt-tiny describes', () => {
    expect(theVerdict().length).toBe(20479);
    const exp = gptTinyExpected();
    expect(exp.verdict_token_count).toBe(5145);
    expect(exp.forward.input_ids).toHaveLength(2);
    for (const f of [
      'hf/config.json',
      'hf/model.safetensors',
      'openai/model.ckpt.index',
      'expected.safetensors',
    ])
      expect(fs.statSync(fixturePath('gpt-tiny', f)).size).toBeGreaterThan(0);
    // The safetensors header names the logits tensor with the shape expected.json states.
    const bytes = fs.readFileSync(fixturePath('gpt-tiny', 'expected.safetensors'));
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header.logits_last4.shape).toEqual([2, 4, 50257]);
  });
});

describe('closeness helpers', () => {
  test('maxAbsDiff finds the largest gap and treats NaN as infinitely far', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff([0, NaN], [0, 0])).toBe(Infinity);
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(/length mismatch/);
  });

  test('assertAllClose names the first index over the tolerance', () => {
    expect(() => assertAllClose([1, 2], [1, 2 + 1e-6], 1e-5)).not.toThrow();
    expect(() => assertAllClose([1, 2, 3], [1, 2.1, 3.5], 0.05, 'logits')).toThrow(/logits: index 1/);
    expect(() => assertAllClose([NaN], [0], 1)).toThrow(/index 0/);
  });
});

describe('leak check', () => {
  test('passes for a tidy step and catches a leaking one', async () => {
    await tf.setBackend('cpu');
    const tidyStep = () => tf.tidy(() => tf.add(tf.ones([4]), 1));
    const kept: tf.Tensor[] = [];
    const keep = (t: tf.Tensor) => kept.push(t);
    await expect(assertNoTensorLeak(tf, 5, () => tidyStep().dispose())).resolves.toBeUndefined();
    await expect(assertNoTensorLeak(tf, 3, () => keep(tidyStep()))).rejects.toThrow(/tensor leak/);
    tf.dispose(kept);
  });
});

test('makeTempDir gives an empty folder and removes it', () => {
  const { dir, cleanup } = makeTempDir();
  expect(fs.readdirSync(dir)).toEqual([]);
  fs.writeFileSync(`${dir}/x`, 'y');
  cleanup();
  expect(fs.existsSync(dir)).toBe(false);
});

describe('gpt-tiny without the weights package', () => {
  test('state dict has every llmfs name with GPT-2 shapes; the head is wte transposed', async () => {
    const { gptTinyStateDict } = await import('./index.js');
    const sd = gptTinyStateDict();
    expect(sd.size).toBe(2 + 2 * 16 + 2 + 1);
    expect(sd.get('trf_blocks.1.att.W_key.weight')!.shape).toEqual([32, 32]);
    expect(sd.get('trf_blocks.1.att.W_value.bias')!.shape).toEqual([32]);
    const wte = sd.get('tok_emb.weight')!;
    const head = sd.get('out_head.weight')!;
    expect(head.shape).toEqual([32, 50257]);
    expect(head.data[5 * 50257 + 1234]).toBe(wte.data[1234 * 32 + 5]);
    const total = [...sd.values()].reduce((s, r) => s + r.data.length, 0);
    expect(total).toBe(gptTinyExpected().parameter_count_untied);
  });

  test('meanCrossEntropyF64 equals log(V) for uniform logits and rejects a shape mismatch', async () => {
    const { meanCrossEntropyF64 } = await import('./index.js');
    expect(meanCrossEntropyF64(new Float32Array(2 * 7), [3, 6], 7)).toBeCloseTo(Math.log(7), 12);
    expect(meanCrossEntropyF64([0, 10, 0], [1], 3)).toBeCloseTo(Math.log(1 + 2 * Math.exp(-10)), 12);
    expect(() => meanCrossEntropyF64([0, 1], [0], 3)).toThrow(/expected 1 x 3/);
  });
});
