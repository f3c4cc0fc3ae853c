// KV cache for incremental decoding: the keys and values a layer has already computed, so each new
// token attends to them without recomputing. Keys are kept transposed ([B*H, headDim, Tk]) because that
// is the orientation the score matmul wants.
import * as tf from '@tensorflow/tfjs';

/** One attention layer's cached keys (transposed) and values. */
export class KVCache {
  /** (B*H, headDim, Tk) */
  keysT?: tf.Tensor3D;
  /** (B*H, Tk, headDim) */
  values?: tf.Tensor3D;

  /** Number of cached positions. */
  get length(): number {
    return this.values ? this.values.shape[1] : 0;
  }

  /**
   * Appends new keys (transposed) and values and returns the full ones; the cache keeps its own
   * copies (outside any tidy) and disposes the old ones. The returned tensors belong to the cache.
   */
  append(newKeysT: tf.Tensor3D, newValues: tf.Tensor3D): { keysT: tf.Tensor3D; values: tf.Tensor3D } {
    const oldK = this.keysT;
    const oldV = this.values;
    const k = oldK ? tf.concat([oldK, newKeysT], 2) : tf.clone(newKeysT);
    const v = oldV ? tf.concat([oldV, newValues], 1) : tf.clone(newValues);
    this.keysT = tf.keep(k);
    this.values = tf.keep(v);
    oldK?.dispose();
    oldV?.dispose();
    return { keysT: this.keysT, values: this.values };
  }

  /** Empties the cache (disposes its tensors). */
  reset(): void {
    this.keysT?.dispose();
    this.values?.dispose();
    this.keysT = undefined;
    this.values = undefined;
  }

  /** Same as reset(). */
  dispose(): void {
    this.reset();
  }
}
