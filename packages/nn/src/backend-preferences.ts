// What the active backend prefers, in one place, so the model and trainer code carries no backend names.
// Measured on tfjs 4.22 (docs: PLATFORM-NOTES): on wasm a matmul with transposeA/transposeB runs off
// XNNPACK's fast path (~10x slower), so transposes there are explicit copies before a plain product;
// webgpu, webgl, tensorflow and cpu multiply transposed operands in the kernel, where a copy only costs.
// Host-memory arithmetic (gradient sums, optimizer state) pays on backends whose tensors already live in
// host memory (wasm: 4 GiB heap; cpu); on GPU and native backends it would be a readback per tensor.
import * as tf from '@tensorflow/tfjs';
import { preferHostOptimizerState } from './prefer-host-optimizer-state.js';

/** True where transposed operands should be materialised before a matmul (wasm). */
export function prefersExplicitTranspose(backend: string = tf.getBackend()): boolean {
  return backend === 'wasm';
}

/** True where micro-batch gradient sums are best accumulated in host memory (wasm, cpu). */
export function prefersHostGradientSums(backend: string = tf.getBackend()): boolean {
  return preferHostOptimizerState(backend);
}
