// The causal mask as an additive [T, Tk] matrix (0 where a query may attend, -Infinity above the
// diagonal), sliced from one cached square per size so no mask is rebuilt per call.
import * as tf from '@tensorflow/tfjs';

const squares = new Map<number, tf.Tensor2D>();

function square(n: number): tf.Tensor2D {
  // Round up so growing lengths (generation without a cache) reuse one tensor.
  const size = Math.max(64, 2 ** Math.ceil(Math.log2(n)));
  let m = squares.get(size);
  if (!m || m.isDisposed) {
    const data = new Float32Array(size * size);
    for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) data[i * size + j] = -Infinity;
    m = tf.keep(tf.tensor2d(data, [size, size]));
    squares.set(size, m);
  }
  return m;
}

/**
 * Additive causal mask for `numQueries` queries at absolute positions offset..offset+numQueries-1 over
 * `numKeys` keys at positions 0..numKeys-1: [numQueries, numKeys]. A new tensor (the caller disposes).
 */
export function causalMask(numQueries: number, numKeys: number, offset = numKeys - numQueries): tf.Tensor2D {
  const sq = square(Math.max(offset + numQueries, numKeys));
  return tf.slice(sq, [offset, 0], [numQueries, numKeys]);
}

/** Frees the cached mask squares (tests and long-lived apps). */
export function clearCausalMaskCache(): void {
  for (const m of squares.values()) m.dispose();
  squares.clear();
}
