// splitTextByRatio (book ch. 5) and splitByRatios (book ch. 6 and 7 sizes).
import { theVerdict } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { DataLoaderError, splitByRatios, splitTextByRatio } from './index.js';

describe('splitTextByRatio', () => {
  it('splits the-verdict at int(0.9 * 20479) = 18431 characters', () => {
    const text = theVerdict();
    expect(text.length).toBe(20479);
    const [train, val] = splitTextByRatio(text);
    expect(train.length).toBe(18431);
    expect(val.length).toBe(2048);
    expect(train + val).toBe(text);
  });

  it('counts code points like Python, never cutting a surrogate pair', () => {
    // 10 code points, 13 UTF-16 units: int(0.5 * 10) = 5 code points in train
    const text = 'a😀b😀c😀defg';
    const [train, val] = splitTextByRatio(text, 0.5);
    expect(train).toBe('a😀b😀c');
    expect(val).toBe('😀defg');
  });

  it('refuses empty text and ratios outside (0, 1)', () => {
    expect(() => splitTextByRatio('')).toThrow(DataLoaderError);
    expect(() => splitTextByRatio('abc', 1)).toThrow(/trainRatio must be between 0 and 1/);
    expect(() => splitTextByRatio('abc', 0)).toThrow(/trainRatio/);
  });
});

describe('splitByRatios', () => {
  it('ch. 7: 1100 entries, [0.85, 0.1, 0.05] -> train 935 (first), test 110 (next), val 55 (rest)', () => {
    const items = Array.from({ length: 1100 }, (_, i) => i);
    const [train, test, val] = splitByRatios(items, [0.85, 0.1, 0.05]);
    expect([train.length, test.length, val.length]).toEqual([935, 110, 55]);
    expect(train[0]).toBe(0);
    expect(train[934]).toBe(934);
    expect(test[0]).toBe(935);
    expect(val[0]).toBe(1045);
    expect(val[54]).toBe(1099);
  });

  it('ch. 6: 1494 balanced messages, [0.7, 0.1, 0.2] -> 1045 / 149 / 300', () => {
    const items = Array.from({ length: 1494 }, (_, i) => `msg${i}`);
    expect(splitByRatios(items, [0.7, 0.1, 0.2]).map((p) => p.length)).toEqual([1045, 149, 300]);
  });

  it('a seed shuffles a copy reproducibly; the parts still cover every item once', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = splitByRatios(items, [0.7, 0.1, 0.2], { seed: 123 });
    const b = splitByRatios(items, [0.7, 0.1, 0.2], { seed: 123 });
    const c = splitByRatios(items, [0.7, 0.1, 0.2], { seed: 124 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[0]).not.toEqual(items.slice(0, 70));
    expect(a.flat().sort((x, y) => x - y)).toEqual(items);
    expect(items[0]).toBe(0); // input untouched
  });

  it('refuses ratios that do not sum to 1 or are negative', () => {
    expect(() => splitByRatios([1, 2, 3], [0.5, 0.4])).toThrow(/sum to 0.9/);
    expect(() => splitByRatios([1, 2, 3], [1.2, -0.2])).toThrow(DataLoaderError);
    expect(() => splitByRatios([1, 2, 3], [])).toThrow(/at least one ratio/);
  });
});
