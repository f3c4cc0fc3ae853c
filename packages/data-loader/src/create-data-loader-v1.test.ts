// createDataLoaderV1 on id arrays: batch layout, seeded shuffle, resume, dropLast, typed errors.
import { describe, expect, it } from 'vitest';
import { createDataLoaderV1, DataLoaderError, type Batch } from './index.js';

const ids = Array.from({ length: 203 }, (_, i) => (i * 37) % 1000);

function rows(b: Batch): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < b.batchSize; r++)
    out.push(Array.from(b.inputs.subarray(r * b.seqLen, (r + 1) * b.seqLen)));
  return out;
}
function epochRows(batches: Iterable<Batch>): number[][] {
  return [...batches].flatMap(rows);
}

describe('createDataLoaderV1 (ids)', () => {
  it('without shuffle, batches are consecutive windows, row-major [B, T], targets shifted by one', () => {
    const loader = createDataLoaderV1(ids, { batchSize: 3, maxLength: 5, stride: 2, shuffle: false });
    // windows: range(0, 198, 2) -> 99; dropLast -> 33 batches
    expect(loader.numWindows).toBe(99);
    expect(loader.length).toBe(33);
    const all = [...loader.batches()];
    expect(all).toHaveLength(33);
    const b1 = all[1];
    expect(b1.batchSize).toBe(3);
    expect(b1.seqLen).toBe(5);
    expect(b1.inputs).toBeInstanceOf(Int32Array);
    expect(b1.inputs.length).toBe(15);
    // row 0 of batch 1 = window 3 = ids[6..11)
    expect(Array.from(b1.inputs.subarray(0, 5))).toEqual(ids.slice(6, 11));
    expect(Array.from(b1.targets.subarray(0, 5))).toEqual(ids.slice(7, 12));
    expect(Array.from(b1.inputs.subarray(10, 15))).toEqual(ids.slice(10, 15));
  });

  it("defaults are the book's: batchSize 4, maxLength 256, stride 128, shuffle, dropLast", () => {
    const long = Array.from({ length: 5145 }, (_, i) => i % 50257);
    const loader = createDataLoaderV1(long);
    expect(loader.batchSize).toBe(4);
    expect(loader.seqLen).toBe(256);
    expect(loader.numWindows).toBe(Math.ceil((5145 - 256) / 128)); // 39
    expect(loader.length).toBe(9);
    const unshuffled = epochRows(createDataLoaderV1(long, { shuffle: false }).batches());
    expect(epochRows(loader.batches())).not.toEqual(unshuffled);
  });

  it('seeded shuffle: same (seed, epoch) -> same batches; another epoch or seed -> another order; always a permutation', () => {
    const opts = { batchSize: 4, maxLength: 4, stride: 3, seed: 7 };
    const a = createDataLoaderV1(ids, opts);
    const b = createDataLoaderV1(ids, opts);
    const e0 = epochRows(a.batches({ epoch: 0 }));
    expect(epochRows(b.batches({ epoch: 0 }))).toEqual(e0);
    expect(epochRows(a.batches({ epoch: 0 }))).toEqual(e0); // does not depend on what was iterated before
    const e1 = epochRows(a.batches({ epoch: 1 }));
    expect(e1).not.toEqual(e0);
    expect(epochRows(createDataLoaderV1(ids, { ...opts, seed: 8 }).batches({ epoch: 0 }))).not.toEqual(e0);
    const plain = epochRows(createDataLoaderV1(ids, { ...opts, shuffle: false, dropLast: false }).batches());
    const key = (r: number[]) => r.join(',');
    const sorted = (x: number[][]) => x.map(key).sort();
    // 67 windows, dropLast with batch 4 keeps 64 of them, all distinct windows of the unshuffled set
    expect(e0).toHaveLength(64);
    expect(new Set(e0.map(key)).size).toBe(64);
    for (const r of e0) expect(plain.map(key)).toContain(key(r));
    const full = epochRows(createDataLoaderV1(ids, { ...opts, dropLast: false }).batches({ epoch: 3 }));
    expect(sorted(full)).toEqual(sorted(plain));
  });

  it('plain iteration advances the epoch each time, like a PyTorch DataLoader', () => {
    const loader = createDataLoaderV1(ids, { batchSize: 2, maxLength: 4, stride: 4, seed: 1 });
    const first = epochRows(loader);
    const second = epochRows(loader);
    expect(first).toEqual(epochRows(loader.batches({ epoch: 0 })));
    expect(second).toEqual(epochRows(loader.batches({ epoch: 1 })));
  });

  it('resumes from a batch index: batches({ epoch, startBatch }) is the tail of that epoch', () => {
    const loader = createDataLoaderV1(ids, { batchSize: 4, maxLength: 6, stride: 5, seed: 99 });
    const whole = [...loader.batches({ epoch: 2 })];
    const tail = [...loader.batches({ epoch: 2, startBatch: 3 })];
    expect(tail).toHaveLength(loader.length - 3);
    expect(tail.map(rows)).toEqual(whole.slice(3).map(rows));
    expect(tail.map((b) => Array.from(b.targets))).toEqual(whole.slice(3).map((b) => Array.from(b.targets)));
    expect([...loader.batches({ epoch: 2, startBatch: loader.length })]).toHaveLength(0);
    expect(() => loader.batches({ startBatch: loader.length + 1 })).toThrow(DataLoaderError);
    expect(() => loader.batches({ epoch: -1 })).toThrow(/epoch must be an integer >= 0/);
  });

  it('dropLast false gives a short final batch', () => {
    // 10 tokens, maxLength 2, stride 1 -> 8 windows; batch 3 -> 3 batches, the last of 2 rows
    const loader = createDataLoaderV1([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], {
      batchSize: 3,
      maxLength: 2,
      stride: 1,
      shuffle: false,
      dropLast: false,
    });
    expect(loader.length).toBe(3);
    const all = [...loader.batches()];
    expect(all.map((b) => b.batchSize)).toEqual([3, 3, 2]);
    expect(Array.from(all[2].inputs)).toEqual([6, 7, 7, 8]);
    expect(Array.from(all[2].targets)).toEqual([7, 8, 8, 9]);
    const dropped = createDataLoaderV1([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], {
      batchSize: 3,
      maxLength: 2,
      stride: 1,
      shuffle: false,
    });
    expect(dropped.length).toBe(2);
  });

  it('batches own their arrays (mutating one does not change the next epoch)', () => {
    const loader = createDataLoaderV1(ids, { batchSize: 2, maxLength: 3, stride: 3, shuffle: false });
    const [b] = loader.batches();
    const copy = Array.from(b.inputs);
    b.inputs.fill(-1);
    expect(Array.from([...loader.batches()][0].inputs)).toEqual(copy);
  });

  it('typed errors say what to change', () => {
    expect(() => createDataLoaderV1([1, 2, 3], { maxLength: 4 })).toThrow(
      /too few for one window of maxLength 4/,
    );
    expect(() => createDataLoaderV1(ids, { stride: 0 })).toThrow(DataLoaderError);
    expect(() => createDataLoaderV1(ids, { stride: -2 })).toThrow(/stride must be an integer >= 1/);
    expect(() => createDataLoaderV1(ids, { maxLength: 0 })).toThrow(/maxLength must be an integer >= 1/);
    expect(() => createDataLoaderV1(ids, { batchSize: 0, maxLength: 4 })).toThrow(
      /batchSize must be an integer >= 1/,
    );
    expect(() => createDataLoaderV1('', { maxLength: 4 })).toThrow(/text is empty/);
    expect(() => createDataLoaderV1('', { maxLength: 4 })).toThrow(DataLoaderError);
    expect(() => createDataLoaderV1(ids.slice(0, 8), { maxLength: 4, stride: 1, batchSize: 8 })).toThrow(
      /4 windows are fewer than batchSize 8 with dropLast/,
    );
    expect(() => createDataLoaderV1([1, 2, -3, 4, 5, 6], { maxLength: 2 })).toThrow(/index 2 is -3/);
    expect(() => createDataLoaderV1(ids, { maxLength: 4, seed: 0.5 })).toThrow(/seed must be an integer/);
  });

  it('a custom encoder replaces GPT-2 for text', () => {
    const encoder = { encode: (t: string) => Array.from(t, (c) => c.charCodeAt(0)) };
    const loader = createDataLoaderV1('abcdefgh', {
      encoder,
      batchSize: 1,
      maxLength: 3,
      stride: 3,
      shuffle: false,
    });
    expect([...loader.batches()].map((b) => Array.from(b.inputs))).toEqual([
      [97, 98, 99],
      [100, 101, 102],
    ]);
  });
});
