import { describe, expect, it } from 'vitest';
import { customCollateFn } from './custom-collate-fn.js';
import { createInstructionDataLoader } from './create-instruction-data-loader.js';
import { InstructionDataset } from './instruction-dataset.js';
import { formatInput } from './format-input.js';
import { makeTestTokenizer } from './test-tokenizer.fixture.js';

const rows = (a: Int32Array, T: number) =>
  Array.from({ length: a.length / T }, (_, r) => Array.from(a.slice(r * T, (r + 1) * T)));

describe('customCollateFn (chapter 7.3)', () => {
  const batch = [
    [0, 1, 2, 3, 4],
    [5, 6],
    [7, 8, 9],
  ];

  it("reproduces the book's printed inputs and targets", () => {
    const b = customCollateFn(batch);
    expect([b.batchSize, b.seqLen]).toEqual([3, 5]);
    expect(rows(b.inputs, 5)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 50256, 50256, 50256],
      [7, 8, 9, 50256, 50256],
    ]);
    expect(rows(b.targets, 5)).toEqual([
      [1, 2, 3, 4, 50256],
      [6, 50256, -100, -100, -100],
      [8, 9, 50256, -100, -100],
    ]);
  });

  it('truncates to allowedMaxLength', () => {
    const b = customCollateFn(batch, { allowedMaxLength: 3 });
    expect(b.seqLen).toBe(3);
    expect(rows(b.inputs, 3)).toEqual([
      [0, 1, 2],
      [5, 6, 50256],
      [7, 8, 9],
    ]);
    expect(rows(b.targets, 3)).toEqual([
      [1, 2, 3],
      [6, 50256, -100],
      [8, 9, 50256],
    ]);
  });

  it('masks the prompt targets when asked (exercise 7.2)', () => {
    const b = customCollateFn(
      [
        { ids: [10, 11, 12, 13, 14], promptLength: 3 },
        { ids: [20, 21, 22], promptLength: 2 },
      ],
      { maskPrompt: true },
    );
    expect(rows(b.targets, 5)).toEqual([
      [-100, -100, 13, 14, 50256],
      [-100, 22, 50256, -100, -100],
    ]);
  });

  it('uses other pad and ignore ids', () => {
    const b = customCollateFn([[1], [2, 3]], { padTokenId: 0, ignoreIndex: -1 });
    expect(rows(b.targets, 2)).toEqual([
      [0, -1],
      [3, 0],
    ]);
  });
});

describe('InstructionDataset and its loader (chapter 7.3-7.4)', () => {
  const entries = [
    { instruction: 'Add one.', input: '2', output: '3' },
    { instruction: 'Say yes.', input: '', output: 'yes' },
    { instruction: 'Name a colour.', input: '', output: 'Blue is a colour.' },
  ];

  it('pre-tokenizes prompt + response and records the prompt length', () => {
    const tok = makeTestTokenizer();
    const ds = new InstructionDataset(entries, tok);
    expect(ds.length).toBe(3);
    expect(tok.decode(ds.encodedTexts[1])).toBe(formatInput(entries[1]) + '\n\n### Response:\nyes');
    expect(tok.decode(ds.encodedTexts[1].slice(0, ds.promptLengths[1]))).toBe(formatInput(entries[1]));
  });

  it('batches with the collate function, shuffled per epoch and seed', () => {
    const ds = new InstructionDataset(entries, makeTestTokenizer());
    const eval_ = createInstructionDataLoader(ds, { batchSize: 2 });
    expect(eval_.length).toBe(2);
    const [b0, b1] = [...eval_];
    expect(b0.batchSize).toBe(2);
    expect(b1.batchSize).toBe(1);
    expect(Array.from(b0.inputs.slice(0, ds.encodedTexts[0].length))).toEqual(ds.encodedTexts[0]);
    const train = createInstructionDataLoader(ds, { batchSize: 2, shuffle: true, dropLast: true, seed: 1 });
    expect(train.length).toBe(1);
    const firstRows = new Set<string>();
    for (let e = 0; e < 12; e++) firstRows.add([...train.batches({ epoch: e })][0].inputs.join(','));
    expect(firstRows.size).toBeGreaterThan(1);
    expect([...train.batches({ epoch: 3 })][0].inputs).toEqual([...train.batches({ epoch: 3 })][0].inputs);
  });
});
