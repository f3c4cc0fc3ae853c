// Optimizer state written before MultiHeadAttention had the book's W_query, W_key and W_value: its
// moments are keyed `trf_blocks.N.att.qkv.{weight,bias}.*` with the three projections side by side
// (columns q | k | v). Splitting them keeps such checkpoints resumable.
import * as tf from '@tensorflow/tfjs';

const FUSED = /^(.*\.att\.)qkv\.(weight|bias)\.(exp_avg|exp_avg_sq|step)$/;
const PARTS = ['W_query', 'W_key', 'W_value'] as const;

/**
 * Returns `dict` with every fused `att.qkv` entry replaced by its W_query / W_key / W_value thirds (the
 * last axis split in three; `.step` copied). New tensors are added to `created` for the caller to dispose.
 */
export function splitFusedQkvState(
  dict: Map<string, tf.Tensor>,
  created: tf.Tensor[],
): Map<string, tf.Tensor> {
  if (![...dict.keys()].some((k) => FUSED.test(k))) return dict;
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of dict) {
    const m = FUSED.exec(key);
    if (!m) {
      out.set(key, t);
      continue;
    }
    const [, prefix, kind, slot] = m;
    const parts = slot === 'step' ? PARTS.map(() => tf.clone(t)) : tf.split(t, 3, -1); // (..., 3C) -> 3 x (..., C)
    created.push(...parts);
    PARTS.forEach((p, i) => out.set(`${prefix}${p}.${kind}.${slot}`, parts[i]));
  }
  return out;
}
