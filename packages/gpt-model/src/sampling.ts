// Next-token choice from one row of logits (book section 5.3): greedy, or temperature scaling with
// top-k and top-p (nucleus) filtering and a seeded draw.
import type { Rng } from '@llmfs/nn';

/** Sampling settings; temperature <= 0 means greedy (argmax). */
export interface SamplingOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
}

/** Index of the largest value (first one on ties, as torch.argmax). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < row.length; i++) {
    if (row[i] > bv) {
      bv = row[i];
      best = i;
    }
  }
  return best;
}

/** Chooses the next token id from `logits` (one row of length V). */
export function sampleNextToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  const v = logits.length;
  const temperature = opts.temperature ?? 0;
  const scaled = new Float64Array(v);
  for (let i = 0; i < v; i++) scaled[i] = logits[i];
  if (opts.topK !== undefined && opts.topK > 0 && opts.topK < v) {
    // Book: logits below the k-th largest become -inf.
    const sorted = Float64Array.from(scaled).sort();
    const kth = sorted[v - opts.topK];
    for (let i = 0; i < v; i++) if (scaled[i] < kth) scaled[i] = -Infinity;
  }
  if (!(temperature > 0)) return argmax(scaled);
  let m = -Infinity;
  for (let i = 0; i < v; i++) {
    scaled[i] /= temperature;
    if (scaled[i] > m) m = scaled[i];
  }
  const probs = new Float64Array(v);
  let z = 0;
  for (let i = 0; i < v; i++) {
    probs[i] = Math.exp(scaled[i] - m);
    z += probs[i];
  }
  for (let i = 0; i < v; i++) probs[i] /= z;
  if (opts.topP !== undefined && opts.topP > 0 && opts.topP < 1) {
    // Nucleus: keep the most probable tokens until their mass reaches topP (the one crossing it included).
    const order = Array.from({ length: v }, (_, i) => i).filter((i) => probs[i] > 0);
    order.sort((a, b) => probs[b] - probs[a]);
    let mass = 0;
    let cut = order.length;
    for (let r = 0; r < order.length; r++) {
      mass += probs[order[r]];
      if (mass >= opts.topP) {
        cut = r + 1;
        break;
      }
    }
    const keep = new Set(order.slice(0, cut));
    let kz = 0;
    for (let i = 0; i < v; i++) {
      if (!keep.has(i)) probs[i] = 0;
      kz += probs[i];
    }
    for (let i = 0; i < v; i++) probs[i] /= kz;
  }
  const u = rng.next();
  let acc = 0;
  let last = 0;
  for (let i = 0; i < v; i++) {
    if (probs[i] <= 0) continue;
    acc += probs[i];
    last = i;
    if (u < acc) return i;
  }
  return last;
}
