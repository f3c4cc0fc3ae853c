// Parameter and memory counts from a config alone (book section 4.6), without building the model.
import type { GPTConfig } from './gpt-config.js';

/** Number of parameters of GPTModel(cfg); `tiedHead` leaves out the output head (tied to tok_emb). */
export function countParameters(cfg: GPTConfig, opts: { tiedHead?: boolean } = {}): number {
  const { vocabSize: v, contextLength: n, embDim: c, nLayers: l, qkvBias } = cfg;
  const block =
    2 * c + // norm1
    3 * c * c +
    (qkvBias ? 3 * c : 0) + // W_query, W_key, W_value
    c * c +
    c + // out_proj
    2 * c + // norm2
    c * 4 * c +
    4 * c + // ff.layers.0
    4 * c * c +
    c; // ff.layers.2
  return v * c + n * c + l * block + 2 * c + (opts.tiedHead ? 0 : c * v);
}

/** Bytes of the float32 parameters (untied head), as the book's "Total size of the model". */
export function modelMemoryBytes(
  cfg: GPTConfig,
  opts: { tiedHead?: boolean; bytesPerParam?: number } = {},
): number {
  return countParameters(cfg, opts) * (opts.bytesPerParam ?? 4);
}
