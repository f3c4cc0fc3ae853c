// Chapter 7.3: the book's custom_collate_fn. Appends one end-of-text token to every item, pads to the
// batch's longest, shifts by one for targets, keeps the first padding target and sets the rest to
// ignoreIndex (-100), then truncates to allowedMaxLength. Optionally masks the prompt's targets.
import type { TokenBatch } from './batch.js';
import type { EncodedInstruction } from './instruction-dataset.js';
import { END_OF_TEXT_ID } from './tokenizer.js';

/** Options of customCollateFn (the book's defaults). */
export interface CollateOptions {
  padTokenId?: number;
  ignoreIndex?: number;
  /** Truncate inputs and targets to this length (the book passes 1024, the context length). */
  allowedMaxLength?: number;
  /** Set the targets that predict prompt tokens to ignoreIndex (exercise 7.2); needs promptLength. */
  maskPrompt?: boolean;
}

/** Collates token lists into a padded [B, T] TokenBatch exactly as the book's custom_collate_fn. */
export function customCollateFn(
  batch: ReadonlyArray<readonly number[] | EncodedInstruction>,
  opts: CollateOptions = {},
): TokenBatch {
  const pad = opts.padTokenId ?? END_OF_TEXT_ID;
  const ignore = opts.ignoreIndex ?? -100;
  const items = batch.map((b) =>
    Array.isArray(b) ? { ids: b as readonly number[], promptLength: 0 } : (b as EncodedInstruction),
  );
  const batchMaxLength = Math.max(...items.map((it) => it.ids.length + 1));
  // padded item has batchMaxLength ids; inputs = padded[:-1], targets = padded[1:]
  const full = batchMaxLength - 1;
  const seqLen = opts.allowedMaxLength !== undefined ? Math.min(full, opts.allowedMaxLength) : full;
  const inputs = new Int32Array(items.length * seqLen);
  const targets = new Int32Array(items.length * seqLen);
  items.forEach((it, r) => {
    const padded = new Array<number>(batchMaxLength).fill(pad);
    for (let i = 0; i < it.ids.length; i++) padded[i] = it.ids[i];
    const tgt = padded.slice(1);
    let seenPad = false;
    for (let i = 0; i < tgt.length; i++) {
      if (tgt[i] === pad) {
        if (seenPad) tgt[i] = ignore;
        seenPad = true;
      }
    }
    if (opts.maskPrompt && it.promptLength > 0) {
      // target i predicts token i+1: the first promptLength-1 targets are prompt tokens
      for (let i = 0; i < Math.min(it.promptLength - 1, tgt.length); i++) tgt[i] = ignore;
    }
    for (let t = 0; t < seqLen; t++) {
      inputs[r * seqLen + t] = padded[t];
      targets[r * seqLen + t] = tgt[t];
    }
  });
  return { inputs, targets, batchSize: items.length, seqLen };
}
