// On wasm, an inference product (Linear's fused path, used by evaluation and generation) makes XNNPACK
// pack the weight once and keep the packed copy until the weight's data is freed: fast decoding, but in a
// training loop the packed copies of every weight (GPT-2 124M: ~0.5 GB) outlive the evaluation and sit
// in wasm's 4 GiB heap during the next training pass, which then overflowed it. Giving each parameter a
// fresh buffer with the same values frees them.
import * as tf from '@tensorflow/tfjs';
import { isOnHost } from './host-residency.js';
import { writeHostTensor } from './host-views.js';

/** Weights an inference product has used since their last release (they may hold a packed copy). */
const packed = new WeakSet<tf.Tensor>();

/** Notes that `weight` went through XNNPACK's inference product (Linear on wasm). */
export function notePackedWeight(weight: tf.Tensor): void {
  packed.add(weight);
}

/** Releases the caches of those of `params` that an inference product used (Module.train does it). */
export function releasePackedWeights(params: tf.Variable[]): void {
  const used = params.filter((v) => packed.has(v));
  if (used.length === 0) return;
  releaseWeightCaches(used);
}

/**
 * Frees backend caches tied to these parameters' buffers (XNNPACK's packed weights on wasm) by moving
 * each parameter to a fresh copy of its values. Call after evaluating or sampling inside a training loop.
 * Values are unchanged; a no-op on other backends.
 */
export function releaseWeightCaches(params: tf.Variable[]): void {
  if (tf.getBackend() !== 'wasm') return;
  for (const v of params) {
    if (v.dtype !== 'float32' || v.isDisposed || isOnHost(v)) continue; // host-resident: no device copy
    const fresh = writeHostTensor(v.shape, [v], (out, x) => out.set(x));
    v.assign(fresh);
    fresh.dispose();
    packed.delete(v);
  }
}
