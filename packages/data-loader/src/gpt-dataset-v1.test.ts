// GPTDatasetV1: the book's window rule on plain id arrays, and its typed errors.
import { describe, expect, it } from 'vitest';
import { DataLoaderError, GPTDatasetV1 } from './index.js';

/** The book's loop, written out independently: for i in range(0, len(ids) - max_length, stride). */
function bookWindows(ids: number[], maxLength: number, stride: number): Array<[number[], number[]]> {
  const out: Array<[number[], number[]]> = [];
  for (let i = 0; i < ids.length - maxLength; i += stride)
    out.push([ids.slice(i, i + maxLength), ids.slice(i + 1, i + maxLength + 1)]);
  return out;
}

describe('GPTDatasetV1', () => {
  const ids = Array.from({ length: 50 }, (_, i) => 1000 + i * 7);

  it.each([
    [4, 1],
    [4, 4],
    [8, 3],
    [10, 10],
    [49, 1],
    [7, 100],
  ])('maxLength %i stride %i gives the book windows', (maxLength, stride) => {
    const ds = new GPTDatasetV1(ids, maxLength, stride);
    const want = bookWindows(ids, maxLength, stride);
    expect(ds.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const w = ds.get(i);
      expect(Array.from(w.inputIds)).toEqual(want[i][0]);
      expect(Array.from(w.targetIds)).toEqual(want[i][1]);
    }
  });

  it('the last token is never an input start when len - maxLength is a multiple of stride', () => {
    // 12 tokens, maxLength 4, stride 4: range(0, 8, 4) = [0, 4]; the window at 8 would have no target.
    const ds = new GPTDatasetV1(
      Array.from({ length: 12 }, (_, i) => i),
      4,
      4,
    );
    expect(ds.length).toBe(2);
    expect(Array.from(ds.get(1).targetIds)).toEqual([5, 6, 7, 8]);
  });

  it('refuses too few tokens, naming maxLength', () => {
    expect(() => new GPTDatasetV1([1, 2, 3, 4], 4, 1)).toThrow(DataLoaderError);
    expect(() => new GPTDatasetV1([1, 2, 3, 4], 4, 1)).toThrow(
      /4 tokens are too few .*maxLength 4.*at least 5/,
    );
    expect(new GPTDatasetV1([1, 2, 3, 4, 5], 4, 1).length).toBe(1);
  });

  it.each([0, -1, 1.5, NaN])('refuses stride %s', (stride) => {
    expect(() => new GPTDatasetV1(ids, 4, stride)).toThrow(/stride must be an integer >= 1/);
  });

  it.each([0, -3, 2.5])('refuses maxLength %s', (maxLength) => {
    expect(() => new GPTDatasetV1(ids, maxLength, 1)).toThrow(/maxLength must be an integer >= 1/);
  });

  it('get() outside the windows is a RangeError', () => {
    const ds = new GPTDatasetV1(ids, 4, 4);
    expect(() => ds.get(ds.length)).toThrow(RangeError);
    expect(() => ds.get(-1)).toThrow(RangeError);
  });
});
