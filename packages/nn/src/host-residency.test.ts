// Host residency on wasm: tensors kept in host memory, leased to the device for one piece of work and
// given back without a copy. The tfjs internals it relies on are checked in tfjs-internals.test.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Linear,
  Rng,
  assignValues,
  createParameters,
  hostValues,
  initBackend,
  isOnHost,
  moveToHost,
  writableHostValues,
} from './index.js';
import { leaseOnDevice } from './host-residency.js';

describe('host residency (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('keeps values, leases without leaking, and frees the device copy on release', () => {
    const v = tf.variable(tf.tensor([1, 2, 3, 4], [2, 2]));
    const before = tf.memory().numTensors;
    moveToHost([v]);
    expect(isOnHost(v)).toBe(true);
    const host = hostValues(v);
    expect([...host]).toEqual([1, 2, 3, 4]);
    const lease = leaseOnDevice([v]);
    expect(isOnHost(v)).toBe(false);
    const y = tf.matMul(v, v); // computed on wasm
    expect([...y.dataSync()]).toEqual([7, 10, 15, 22]);
    lease.release();
    expect(isOnHost(v)).toBe(true);
    expect(hostValues(v)).toBe(host); // the same array: no copy back
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // in-place writes where the tensor lives
    assignValues(v, new Float32Array([4, 3, 2, 1]));
    expect(isOnHost(v)).toBe(true);
    expect([...v.dataSync()]).toEqual([4, 3, 2, 1]);
    expect(writableHostValues(v)).toBe(hostValues(v));
    // a value assigned during a lease is copied out on release
    const lease2 = leaseOnDevice([v]);
    const next = tf.tensor([9, 9, 9, 9], [2, 2]);
    v.assign(next);
    next.dispose();
    lease2.release();
    expect(isOnHost(v)).toBe(true);
    expect([...v.dataSync()]).toEqual([9, 9, 9, 9]);
    v.dispose();
  });

  it('createParameters makes parameters on the host, and skips their init when asked', () => {
    const lin = createParameters({ onHost: true }, () => new Linear(4, 3, { rng: new Rng(1) }));
    expect(lin.parameters().every((p) => isOnHost(p))).toBe(true);
    expect(Math.max(...hostValues(lin.weight).map(Math.abs))).toBeGreaterThan(0);
    const empty = createParameters({ skipInit: true }, () => new Linear(4, 3, { rng: new Rng(1) }));
    expect(isOnHost(empty.weight)).toBe(false);
    expect([...empty.weight.dataSync()].every((x) => x === 0)).toBe(true);
    lin.dispose();
    empty.dispose();
  });
});
