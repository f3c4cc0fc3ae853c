// What the active backend prefers, in one place, so the model and trainer code carries no backend names.
// Measured on tfjs 4.22 (docs: PLATFORM-NOTES): on wasm a matmul with transposeA/transposeB runs off
// XNNPACK's fast path (~10x slower), so transposes there are explicit copies before a plain product;
// webgl, tensorflow and cpu multiply transposed operands in the kernel, where a copy only costs. webgpu
// keeps the explicit copies for correctness: tfjs-webgpu's product with transposeB returns wrong values
// (errors of 2.7e2-6.5e2) for a small output (20 x 32) when the inner size is a multiple of 4 and at
// least 4096 (measured on Mesa; docs/platform-notes.md), which is the vocabulary-sharded head's gradient.
// Host-memory arithmetic (gradient sums, optimizer state) pays on backends whose tensors already live in
// host memory (wasm: 4 GiB heap; cpu); on GPU and native backends it would be a readback per tensor.
import * as tf from '@tensorflow/tfjs';
import { preferHostOptimizerState } from './prefer-host-optimizer-state.js';

/** True where transposed operands should be materialised before a matmul (wasm: speed; webgpu: correctness). */
export function prefersExplicitTranspose(backend: string = tf.getBackend()): boolean {
  return backend === 'wasm' || backend === 'webgpu';
}

/** True where micro-batch gradient sums are best accumulated in host memory (wasm, cpu). */
export function prefersHostGradientSums(backend: string = tf.getBackend()): boolean {
  return preferHostOptimizerState(backend);
}
