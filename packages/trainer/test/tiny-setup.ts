// Test helper: a tiny GPT with dropout on, loaders over the-verdict's GPT-2 ids folded into its vocab.
import { createDataLoaderV1, type DataLoader } from '@llmfs/data-loader';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { theVerdict } from '@llmfs/testing';

export const TINY: GPTConfig = {
  vocabSize: 97,
  contextLength: 16,
  embDim: 16,
  nHeads: 2,
  nLayers: 1,
  dropRate: 0.1,
  qkvBias: false,
};

let ids: number[] | undefined;

/** GPT-2 ids of the-verdict modulo the tiny vocab (first `n` tokens). */
export function tinyIds(n = 600): number[] {
  if (!ids) {
    const loader = createDataLoaderV1(theVerdict(), {
      batchSize: 1,
      maxLength: 4,
      stride: 4,
      shuffle: false,
    });
    const out: number[] = [];
    for (const b of loader) out.push(...b.inputs);
    ids = out.map((x) => x % TINY.vocabSize);
  }
  return ids.slice(0, n);
}

/** Shuffled train loader (batch 2, stride 16) and unshuffled val loader. */
export function tinyLoaders(): { train: DataLoader; val: DataLoader } {
  const all = tinyIds();
  const cut = Math.floor(all.length * 0.8);
  return {
    train: createDataLoaderV1(all.slice(0, cut), {
      batchSize: 2,
      maxLength: 16,
      stride: 16,
      shuffle: true,
      seed: 7,
    }),
    val: createDataLoaderV1(all.slice(cut), {
      batchSize: 2,
      maxLength: 16,
      stride: 16,
      shuffle: false,
      dropLast: false,
    }),
  };
}

/** A fresh tiny model (seeded). */
export function tinyModel(): GPTModel {
  return new GPTModel(TINY, { seed: 11 });
}
