// @llmfs/data-loader: text -> token ids -> sliding windows -> batches of Int32Array (book ch. 2, 5, 6, 7).
export type { Batch, BatchesOptions, DataLoader } from './batch.js';
export { DataLoaderError, VocabularyTooLargeError } from './data-loader-error.js';
export { GPTDatasetV1, type Window } from './gpt-dataset-v1.js';
export { createDataLoaderV1, type DataLoaderV1, type DataLoaderV1Options } from './create-data-loader-v1.js';
export { encodeText, gpt2TokenEncoder, type TokenEncoder } from './encode-text.js';
export { mulberry32 } from './seeded-permutation.js';
export { splitTextByRatio } from './split-text-by-ratio.js';
export { splitByRatios, type SplitOptions } from './split-by-ratios.js';
export {
  writeTokenFile,
  type TokenFileEncoding,
  type WriteTokenFileOptions,
  type TokenFileSummary,
} from './write-token-file.js';
export type { TokenFileReadStats, SyncFs } from './token-file-dataset.js';
export {
  createTokenFileLoader,
  type TokenFileLoader,
  type TokenFileLoaderOptions,
} from './create-token-file-loader.js';
