// Chapter 6.3: SpamDataset tokenizes every message, truncates to maxLength and pads with 50256 to it.
// Without maxLength it uses the longest training message (120 tokens for the book's split); val and
// test pass the training dataset's maxLength.
import { makeLoader, type BatchLoader, type LabelBatch } from './batch.js';
import type { SpamRow } from './spam-data.js';
import { seededShuffle } from './seeded-shuffle.js';
import { END_OF_TEXT_ID, type TextTokenizer } from './tokenizer.js';

/** Options of SpamDataset. */
export interface SpamDatasetOptions {
  /** Pad/truncate to this length; default: the longest encoded text (capped by contextLength). */
  maxLength?: number;
  /** The model's context length: the longest text is cut to it when maxLength is not given. */
  contextLength?: number;
  padTokenId?: number;
}

/** The book's SpamDataset: `encodedTexts[i]` has exactly `maxLength` ids. */
export class SpamDataset {
  readonly encodedTexts: number[][];
  readonly labels: number[];
  readonly maxLength: number;

  constructor(rows: readonly SpamRow[], tokenizer: TextTokenizer, opts: SpamDatasetOptions = {}) {
    const pad = opts.padTokenId ?? END_OF_TEXT_ID;
    const encoded = rows.map((r) => tokenizer.encode(r.text));
    const longest = Math.max(0, ...encoded.map((e) => e.length));
    this.maxLength = opts.maxLength ?? Math.min(longest, opts.contextLength ?? Infinity);
    this.encodedTexts = encoded.map((e) => {
      const t = e.slice(0, this.maxLength);
      while (t.length < this.maxLength) t.push(pad);
      return t;
    });
    this.labels = rows.map((r) => r.label);
  }

  get length(): number {
    return this.encodedTexts.length;
  }
}

/** Loader options (the book: batch 8; train shuffled with drop_last; val/test neither). */
export interface SpamLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  seed?: number;
}

/** Batches of [B, maxLength] ids and [B] labels over a SpamDataset. */
export function createSpamDataLoader(
  dataset: SpamDataset,
  opts: SpamLoaderOptions = {},
): BatchLoader<LabelBatch> {
  const T = dataset.maxLength;
  return makeLoader(
    dataset.length,
    {
      batchSize: opts.batchSize ?? 8,
      shuffle: opts.shuffle ?? false,
      dropLast: opts.dropLast ?? false,
      seed: opts.seed ?? 123,
    },
    seededShuffle,
    (idx) => {
      const inputs = new Int32Array(idx.length * T);
      const labels = new Int32Array(idx.length);
      idx.forEach((i, r) => {
        inputs.set(dataset.encodedTexts[i], r * T);
        labels[r] = dataset.labels[i];
      });
      return { inputs, labels, batchSize: idx.length, seqLen: T };
    },
  );
}
