// Zero-copy access to float32 tensor data for arithmetic done in JavaScript (the host-memory optimizer,
// gradient accumulation). On wasm, `dataSync()` copies the tensor out of the heap and `tf.tensor(array)`
// copies it back in: for GPT-2 124M that was ~1.3 GB of copies per optimizer step, most of AdamW's time.
// Here the JavaScript loop reads and writes the heap in place. A heap view is only valid until the heap
// grows, so views are taken after every allocation and used before the next one. The cpu backend's
// `dataSync()` already returns its own storage; other backends fall back to copies.
import * as tf from '@tensorflow/tfjs';
import { ShapeMismatchError } from './errors.js';
import { hostTensor, hostValues, isOnHost } from './host-residency.js';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function wasmBackend(): WasmHeapBackend | undefined {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmHeapBackend) : undefined;
}

function checkFloat32(tensors: tf.Tensor[], what: string): void {
  for (const t of tensors) {
    if (t.dtype !== 'float32')
      throw new ShapeMismatchError(`${what}: tensor ${t.id} is ${t.dtype}, not float32`);
    if (t.isDisposed) throw new ShapeMismatchError(`${what}: tensor ${t.id} is disposed`);
  }
}

/**
 * Calls `fn` with read-only Float32Array views of the tensors' data (no copy on wasm and cpu). The views
 * must not be kept or written: they alias the tensors' storage.
 */
export function readHostViews<T>(tensors: tf.Tensor[], fn: (...views: Float32Array[]) => T): T {
  checkFloat32(tensors, 'readHostViews');
  const wasm = wasmBackend();
  return fn(...tensors.map((t) => viewOf(t, wasm)));
}

/** A tensor's float32 data without a copy where possible: host-resident, wasm heap, or cpu storage. */
function viewOf(t: tf.Tensor, wasm: WasmHeapBackend | undefined): Float32Array {
  if (isOnHost(t)) return hostValues(t);
  return wasm ? (wasm.typedArrayFromHeap(t) as Float32Array) : (t.dataSync() as Float32Array);
}

/**
 * A new float32 tensor of `shape` whose values `fill` writes into `out` in place, given read-only views
 * of `inputs` (no copies on wasm; `out` starts with arbitrary contents, so `fill` must write every entry).
 * When an input lives in host memory (nn's host residency), so does the result.
 */
export function writeHostTensor(
  shape: number[],
  inputs: tf.Tensor[],
  fill: (out: Float32Array, ...inputs: Float32Array[]) => void,
): tf.Tensor {
  checkFloat32(inputs, 'writeHostTensor');
  const wasm = wasmBackend();
  if (inputs.some((t) => isOnHost(t))) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(out, ...inputs.map((t) => viewOf(t, wasm)));
    return hostTensor(out, shape);
  }
  if (!wasm) {
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(out, ...inputs.map((t) => t.dataSync() as Float32Array));
    return tf.tensor(out, shape, 'float32');
  }
  const info = wasm.makeOutput(shape, 'float32');
  // views after the allocation: growing the heap replaces its buffer
  const out = wasm.typedArrayFromHeap(info) as Float32Array;
  const views = inputs.map((t) => viewOf(t, wasm));
  try {
    fill(out, ...views);
  } catch (e) {
    tf.engine().makeTensorFromTensorInfo(info).dispose();
    throw e;
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}
