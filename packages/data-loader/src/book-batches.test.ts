// Book parity (ch. 2): the printed batches of create_dataloader_v1 on the-verdict, GPT-2 encoded.
import { theVerdict } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { createDataLoaderV1, encodeText, splitTextByRatio } from './index.js';

const rowsOf = (inputs: Int32Array, T: number) =>
  Array.from({ length: inputs.length / T }, (_, r) => Array.from(inputs.subarray(r * T, (r + 1) * T)));

describe('book ch. 2 batches on the-verdict', () => {
  it('encodes the-verdict to 5145 GPT-2 tokens', () => {
    expect(encodeText(theVerdict()).length).toBe(5145);
  });

  it('batch_size=1, max_length=4, stride=1, shuffle=False: first batch and the second one', () => {
    const loader = createDataLoaderV1(theVerdict(), {
      batchSize: 1,
      maxLength: 4,
      stride: 1,
      shuffle: false,
    });
    expect(loader.length).toBe(5141);
    const it = loader.batches();
    const first = it.next().value!;
    expect(rowsOf(first.inputs, 4)).toEqual([[40, 367, 2885, 1464]]);
    expect(rowsOf(first.targets, 4)).toEqual([[367, 2885, 1464, 1807]]);
    const second = it.next().value!;
    expect(rowsOf(second.inputs, 4)).toEqual([[367, 2885, 1464, 1807]]);
  });

  it('batch_size=8, max_length=4, stride=4: row 2 of the first batch is [1807, 3619, 402, 271]', () => {
    const loader = createDataLoaderV1(theVerdict(), {
      batchSize: 8,
      maxLength: 4,
      stride: 4,
      shuffle: false,
    });
    const [first] = loader.batches();
    const inputs = rowsOf(first.inputs, 4);
    expect(inputs).toHaveLength(8);
    expect(inputs[0]).toEqual([40, 367, 2885, 1464]);
    expect(inputs[1]).toEqual([1807, 3619, 402, 271]);
    expect(rowsOf(first.targets, 4)[0]).toEqual([367, 2885, 1464, 1807]);
  });

  it('ch. 5 setup: 90/10 split, max_length = stride = 256 -> 9 train batches and 1 validation batch of [2, 256]', () => {
    const [trainText, valText] = splitTextByRatio(theVerdict(), 0.9);
    const train = createDataLoaderV1(trainText, { batchSize: 2, maxLength: 256, stride: 256, seed: 123 });
    const val = createDataLoaderV1(valText, {
      batchSize: 2,
      maxLength: 256,
      stride: 256,
      shuffle: false,
      dropLast: false,
    });
    // the book prints 9 train batches and 1 validation batch, each torch.Size([2, 256])
    // (4612 train tokens -> 18 windows; 534 validation tokens -> 2 windows)
    expect(train.length).toBe(9);
    expect([...train].every((b) => b.batchSize === 2 && b.seqLen === 256)).toBe(true);
    expect(val.length).toBe(1);
    expect(val.numWindows).toBe(2);
  });
});
