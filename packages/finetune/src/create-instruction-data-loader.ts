// Chapter 7.4: loaders over an InstructionDataset (train: shuffle + drop_last; val/test: neither).
import { makeLoader, type BatchLoader, type TokenBatch } from './batch.js';
import { customCollateFn, type CollateOptions } from './custom-collate-fn.js';
import type { InstructionDataset } from './instruction-dataset.js';
import { seededShuffle } from './seeded-shuffle.js';

/** Options of createInstructionDataLoader (the book: batch 8, allowedMaxLength 1024, seed 123). */
export interface InstructionLoaderOptions extends CollateOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  seed?: number;
}

/** A loader of collated TokenBatch over `dataset`, usable wherever a data-loader DataLoader is. */
export function createInstructionDataLoader(
  dataset: InstructionDataset,
  opts: InstructionLoaderOptions = {},
): BatchLoader<TokenBatch> {
  const collate: CollateOptions = { allowedMaxLength: 1024, ...opts };
  return makeLoader(
    dataset.length,
    {
      batchSize: opts.batchSize ?? 8,
      shuffle: opts.shuffle ?? false,
      dropLast: opts.dropLast ?? false,
      seed: opts.seed ?? 123,
    },
    seededShuffle,
    (idx) =>
      customCollateFn(
        idx.map((i) => dataset.get(i)),
        collate,
      ),
  );
}
