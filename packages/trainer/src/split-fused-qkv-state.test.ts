// A training_state written with the fused `att.qkv` names (before W_query, W_key, W_value) resumes:
// its moments split by columns q | k | v into the three parameters' moments.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { splitFusedQkvState } from './split-fused-qkv-state.js';
import { useBackend } from '../test/backend.js';

describe('splitFusedQkvState', () => {
  it('splits att.qkv moments into W_query, W_key, W_value that AdamW.loadStateDict accepts', async () => {
    await useBackend('wasm');
    const names = ['W_query', 'W_key', 'W_value'];
    const params = names.flatMap((n) => [
      [`trf_blocks.0.att.${n}.weight`, tf.variable(tf.zeros([2, 3]))],
      [`trf_blocks.0.att.${n}.bias`, tf.variable(tf.zeros([3]))],
    ]) as Array<[string, tf.Variable]>;
    const opt = new AdamW(params, { lr: 1e-3 });
    // old layout: weight [2, 9] with columns q | k | v; values = 100 * row + column
    const w = tf.tensor2d(
      Array.from({ length: 18 }, (_, i) => 100 * Math.floor(i / 9) + (i % 9)),
      [2, 9],
    );
    const b = tf.tensor1d(Array.from({ length: 9 }, (_, i) => 1000 + i));
    const old = new Map<string, tf.Tensor>([
      ['trf_blocks.0.att.qkv.weight.exp_avg', w],
      ['trf_blocks.0.att.qkv.weight.exp_avg_sq', tf.mul(w, 2)],
      ['trf_blocks.0.att.qkv.weight.step', tf.scalar(4)],
      ['trf_blocks.0.att.qkv.bias.exp_avg', b],
      ['trf_blocks.0.att.qkv.bias.exp_avg_sq', tf.mul(b, 2)],
      ['trf_blocks.0.att.qkv.bias.step', tf.scalar(4)],
      ['__adamw__.step_count', tf.scalar(4)],
    ]);
    const created: tf.Tensor[] = [];
    const split = splitFusedQkvState(old, created);
    expect([...split.keys()].filter((k) => k.includes('qkv'))).toEqual([]);
    opt.loadStateDict(split);
    const state = opt.stateDict();
    expect(Array.from(state.get('trf_blocks.0.att.W_key.weight.exp_avg')!.dataSync())).toEqual([
      3, 4, 5, 103, 104, 105,
    ]);
    expect(Array.from(state.get('trf_blocks.0.att.W_value.weight.exp_avg_sq')!.dataSync())).toEqual([
      12, 14, 16, 212, 214, 216,
    ]);
    expect(Array.from(state.get('trf_blocks.0.att.W_query.bias.exp_avg')!.dataSync())).toEqual([
      1000, 1001, 1002,
    ]);
    expect(state.get('trf_blocks.0.att.W_value.bias.step')!.dataSync()[0]).toBe(4);
    expect(state.get('__adamw__.step_count')!.dataSync()[0]).toBe(4);
    tf.dispose([...state.values(), ...old.values(), ...created]);
    opt.dispose();
    params.forEach(([, v]) => v.dispose());
  });

  it('returns a state without fused names as it is', () => {
    const m = new Map<string, tf.Tensor>();
    expect(splitFusedQkvState(m, [])).toBe(m);
  });
});
