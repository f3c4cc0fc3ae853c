import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { assertAllClose, assertNoTensorLeak } from '@llmfs/testing';
import { AdamW } from './adamw.js';
import { TrainerError } from './errors.js';
import { BACKENDS, useBackend } from '../test/backend.js';

// torch.optim.AdamW(lr=0.1, weight_decay=0.1), one parameter p0 = 1 with gradients 0.5, -1, 0.25:
// step 1: p = 0.99 - (0.1/0.1) * 0.05 / (sqrt(0.00025)/sqrt(0.001) + 1e-8)     = 0.890000002
// step 2: m = -0.055, v = 0.00124975, bc1 = 0.19, bc2 = 0.001999               -> 0.9177103542
// step 3:                                                                        -> 0.9222023168
const EXPECTED = [0.890000002, 0.9177103542, 0.9222023168];

const CASES = BACKENDS.flatMap(
  (b) =>
    [
      [b, true],
      [b, false],
    ] as const,
);

describe.each(CASES)('AdamW on %s (host state %s)', (backend, hostState) => {
  it('follows torch.optim.AdamW step by step', async () => {
    await useBackend(backend);
    const p = tf.variable(tf.tensor1d([1, 1]));
    const opt = new AdamW([['w', p]], { hostState, lr: 0.1, weightDecay: 0.1 });
    [0.5, -1, 0.25].forEach((g, i) => {
      const grad = tf.tensor1d([g, g]);
      opt.step(new Map([['w', grad]]));
      grad.dispose();
      assertAllClose(p.dataSync(), [EXPECTED[i], EXPECTED[i]], 1e-6, `step ${i + 1}`);
    });
    expect(opt.stepCount).toBe(3);
    opt.dispose();
    p.dispose();
  });

  it('adds eps after sqrt(v_hat) with eps 1e-8 (a 1e-8 gradient moves by lr/2)', async () => {
    await useBackend(backend);
    const p = tf.variable(tf.scalar(0));
    const opt = new AdamW([['w', p]], { hostState, lr: 1, weightDecay: 0 });
    const g = tf.scalar(1e-8);
    opt.step({ w: g });
    // m_hat = 1e-8, sqrt(v_hat) = 1e-8, so the update is 1e-8 / (1e-8 + 1e-8) = 0.5
    expect(p.dataSync()[0]).toBeCloseTo(-0.5, 4);
    tf.dispose([p, g]);
    opt.dispose();
  });

  it('skips frozen parameters and leaks nothing per step', async () => {
    await useBackend(backend);
    const a = tf.variable(tf.ones([3]), true, `adamw-a-${backend}`);
    const frozen = tf.variable(tf.ones([3]), false, `adamw-f-${backend}`);
    const opt = new AdamW(
      [
        ['a', a],
        ['f', frozen],
      ],
      { hostState, lr: 0.1, weightDecay: 0.1 },
    );
    const g = tf.ones([3]);
    await assertNoTensorLeak(tf, 3, () =>
      opt.step(
        new Map([
          ['a', g],
          ['f', g],
        ]),
      ),
    );
    expect([...frozen.dataSync()]).toEqual([1, 1, 1]);
    expect(a.dataSync()[0]).toBeLessThan(1);
    tf.dispose([a, frozen, g]);
    opt.dispose();
  });

  it('saves and restores moments by name, continuing identically', async () => {
    await useBackend(backend);
    const grads = [
      [0.3, -0.2],
      [0.1, 0.4],
      [-0.5, 0.05],
      [0.2, 0.2],
    ];
    const run = (p: tf.Variable, opt: AdamW, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const g = tf.tensor1d(grads[i]);
        opt.step(new Map([['x', g]]));
        g.dispose();
      }
    };
    const p1 = tf.variable(tf.tensor1d([1, 2]));
    const o1 = new AdamW([['x', p1]], { hostState, lr: 0.01 });
    run(p1, o1, 0, 4);

    const p2 = tf.variable(tf.tensor1d([1, 2]));
    const o2 = new AdamW([['x', p2]], { hostState, lr: 0.01 });
    run(p2, o2, 0, 2);
    const saved = o2.stateDict();
    expect([...saved.keys()].sort()).toEqual(['__adamw__.step_count', 'x.exp_avg', 'x.exp_avg_sq', 'x.step']);
    const p3 = tf.variable(tf.clone(p2));
    const o3 = new AdamW([['x', p3]], { hostState, lr: 0.01 });
    o3.loadStateDict(saved);
    expect(o3.stepCount).toBe(2);
    run(p3, o3, 2, 4);
    expect([...p3.dataSync()]).toEqual([...p1.dataSync()]);
    tf.dispose([p1, p2, p3, ...saved.values()]);
    [o1, o2, o3].forEach((o) => o.dispose());
  });

  it('disposes each gradient after reading it when asked', async () => {
    await useBackend(backend);
    const p = tf.variable(tf.ones([4]));
    const opt = new AdamW([['x', p]], { hostState, lr: 0.1 });
    const g = tf.ones([4]);
    opt.step(new Map([['x', g]]), { disposeGrads: true });
    expect(g.isDisposed).toBe(true);
    // default weight decay 0.01: p = 1 * (1 - 0.1 * 0.01) - 0.1 * m_hat / sqrt(v_hat) = 0.999 - 0.1
    assertAllClose(p.dataSync(), [0.899, 0.899, 0.899, 0.899], 1e-6, 'p');
    tf.dispose(p);
    opt.dispose();
  });

  it('rejects unknown names and wrong shapes with the name in the message', async () => {
    await useBackend(backend);
    const p = tf.variable(tf.zeros([2]));
    const opt = new AdamW([['x', p]], { hostState, lr: 0.1 });
    const g = tf.zeros([3]);
    expect(() => opt.step(new Map([['y', g]]))).toThrow(/unknown parameter 'y'/);
    expect(() => opt.step(new Map([['x', g]]))).toThrow(TrainerError);
    const bad = new Map<string, tf.Tensor>([
      ['x.exp_avg', tf.zeros([3])],
      ['x.exp_avg_sq', tf.zeros([3])],
      ['x.step', tf.scalar(1)],
    ]);
    expect(() => opt.loadStateDict(bad)).toThrow(/'x.exp_avg' is \[3\]/);
    tf.dispose([p, g, ...bad.values()]);
    opt.dispose();
  });
});

describe('AdamW state placement', () => {
  it('keeps moments in host memory by default on wasm and cpu', async () => {
    for (const backend of BACKENDS) {
      await useBackend(backend);
      const p = tf.variable(tf.ones([2]));
      const opt = new AdamW([['x', p]], { lr: 0.1 });
      expect(opt.hostState).toBe(true);
      const before = tf.memory().numTensors;
      const g = tf.ones([2]);
      opt.step({ x: g });
      g.dispose();
      expect(tf.memory().numTensors).toBe(before); // no moment tensors were created
      tf.dispose(p);
      opt.dispose();
    }
  });
});
