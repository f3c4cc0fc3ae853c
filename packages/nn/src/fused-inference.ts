// Inference fast paths: on wasm, one kernel call where the composite op takes 6-9 engine calls (each
// ~10-20 us of overhead; a GPT-2 decode step is otherwise ~700 calls). Used only when no gradient tape
// is recording; callers fall back to their composite ops when these return undefined.
import * as tf from '@tensorflow/tfjs';
import { isRecordingGradients } from './mat-mul-2d.js';
import { GELU_KERNEL, LAYER_NORM_KERNEL } from './wasm-kernels.js';

function fastPathAvailable(name: string): boolean {
  return !isRecordingGradients() && tf.getBackend() === 'wasm' && tf.getKernel(name, 'wasm') !== undefined;
}

/** LayerNorm over the last axis (biased variance) in one kernel, or undefined where not available. */
export function layerNormInference(
  x: tf.Tensor,
  scale: tf.Tensor,
  shift: tf.Tensor,
  eps: number,
): tf.Tensor | undefined {
  if (x.dtype !== 'float32' || !fastPathAvailable(LAYER_NORM_KERNEL)) return undefined;
  return tf
    .engine()
    .runKernel(LAYER_NORM_KERNEL, { x, scale, shift }, { eps } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** GELU (tanh form) in one kernel, or undefined where not available. */
export function geluInference(x: tf.Tensor): tf.Tensor | undefined {
  if (x.dtype !== 'float32' || !fastPathAvailable(GELU_KERNEL)) return undefined;
  return tf.engine().runKernel(GELU_KERNEL, { x }, {}) as tf.Tensor;
}
