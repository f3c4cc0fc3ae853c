// create_dataloader_v1 (book ch. 2.6): text or ids -> GPTDatasetV1 -> batches of [batchSize, maxLength].
import type { DataLoader } from './batch.js';
import { encodeText, type TokenEncoder } from './encode-text.js';
import { DataLoaderError } from './data-loader-error.js';
import { GPTDatasetV1 } from './gpt-dataset-v1.js';
import { DEFAULT_MAX_LENGTH, DEFAULT_STRIDE, WindowLoader, type LoaderOptions } from './window-loader.js';

/** Options of createDataLoaderV1 (the book's defaults). */
export interface DataLoaderV1Options extends LoaderOptions {
  /** Tokens per row; default 256. */
  maxLength?: number;
  /** Step between window starts; default 128. */
  stride?: number;
  /** Tokenizer for text input; default GPT-2 with `<|endoftext|>` allowed. */
  encoder?: TokenEncoder;
}

/** A DataLoader over an in-memory GPTDatasetV1. */
export interface DataLoaderV1 extends DataLoader {
  /** Rows per full batch. */
  readonly batchSize: number;
  /** Tokens per row (maxLength). */
  readonly seqLen: number;
  readonly dataset: GPTDatasetV1;
  readonly numWindows: number;
}

/**
 * The book's `create_dataloader_v1(txt, batch_size=4, max_length=256, stride=128, shuffle=True,
 * drop_last=True)`; text is GPT-2 encoded, an id array is used as is. Shuffle order depends only on (seed, epoch).
 */
export function createDataLoaderV1(
  textOrIds: string | ArrayLike<number>,
  opts: DataLoaderV1Options = {},
): DataLoaderV1 {
  const ids = typeof textOrIds === 'string' ? encodeText(textOrIds, opts.encoder) : checkIds(textOrIds);
  const dataset = new GPTDatasetV1(ids, opts.maxLength ?? DEFAULT_MAX_LENGTH, opts.stride ?? DEFAULT_STRIDE);
  return new WindowLoader(dataset, opts);
}

/** Throws unless `ids` is an array-like of non-negative integer token ids. */
function checkIds(ids: ArrayLike<number>): ArrayLike<number> {
  if (ids == null || typeof ids.length !== 'number') {
    throw new DataLoaderError('createDataLoaderV1: textOrIds must be a string or an array of token ids');
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new DataLoaderError(
        `createDataLoaderV1: token id at index ${i} is ${id}; ids must be non-negative integers`,
      );
    }
  }
  return ids;
}
