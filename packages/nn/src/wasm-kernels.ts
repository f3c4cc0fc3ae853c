// Side effects, declared here only: kernel fixes for the wasm backend, registered by initBackend.
// - Slice: tfjs 4.22's wasm Slice copies the whole input (readSync) before copying the slice, so each
//   slice costs O(input): 24 head slices of a [24,256,64] tensor took 150 ms. This one reads the heap in
//   place, O(output).
// - SplitV: tfjs 4.22's wasm SplitV calls its own Slice directly (not through the kernel registry), so
//   each piece copied the whole input first: splitting attention's [12,256,256] scores into 12 heads was
//   22% of a GPT-2 124M training pass. This one takes each piece with the in-place Slice above.
// - UnsortedSegmentSum: missing from wasm, and the gradient of tf.gather needs it ("Kernel
//   'UnsortedSegmentSum' not registered for backend 'wasm'"). A plain loop over the heap.
// - LlmfsLayerNorm, LlmfsGeluTanh: inference-only fused kernels (see fused-inference.ts).
// - Identity: tfjs 4.22's wasm Identity copies the data; the engine clones every tensor it saves for a
//   backward pass, so on wasm each saved activation and weight existed twice (GPT-2 124M: its forward
//   pass under a tape went from 0.6 to 3.5 GB and overflowed the 4 GiB heap). This one shares the
//   buffer by reference count, as the cpu backend's does (tensors are immutable; assign swaps buffers).
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let registered = false;

function fastSlice(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as WasmLike;
  const attrs = args.attrs as unknown as { begin: number[]; size: number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  // Views are taken after makeOutput: allocating may grow (and replace) the heap buffer.
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  const strides = tf.util.computeStrides(shape);
  if (tf.slice_util.isSliceContinous(shape, begin, size)) {
    const off = tf.slice_util.computeFlatOffset(begin, strides);
    ov.set(xv.subarray(off, off + ov.length));
    return out;
  }
  // Copy runs of the innermost dimension, iterating over the outer index space.
  const inner = size[rank - 1];
  const outer = size.slice(0, rank - 1);
  const idx = new Array<number>(rank - 1).fill(0);
  let o = 0;
  const nRuns = outer.reduce((a, b) => a * b, 1);
  for (let r = 0; r < nRuns; r++) {
    let src = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) src += (begin[d] + idx[d]) * strides[d];
    ov.set(xv.subarray(src, src + inner), o);
    o += inner;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < outer[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function fastSplitV(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { numOrSizeSplits: number[] | number; axis: number | number[] };
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = fastSlice({ inputs: { x }, attrs: { begin: [...begin], size }, backend: args.backend });
    begin[axis] += s;
    return piece;
  });
}

function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const ids = args.inputs.segmentIds as tf.TensorInfo;
  const backend = args.backend as WasmLike;
  const n = (args.attrs as unknown as { numSegments: number }).numSegments;
  const innerShape = x.shape.slice(ids.shape.length);
  const out = backend.makeOutput([n, ...innerShape], x.dtype);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const xv = backend.typedArrayFromHeap(x);
  const iv = backend.typedArrayFromHeap(ids);
  const ov = backend.typedArrayFromHeap(out);
  ov.fill(0);
  for (let i = 0; i < iv.length; i++) {
    const id = iv[i];
    if (id < 0 || id >= n) continue; // as TensorFlow: out-of-range ids are dropped
    const src = i * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) ov[dst + j] += xv[src + j];
  }
  return out;
}

function layerNormKernel(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const { x, scale, shift } = args.inputs as Record<string, tf.TensorInfo>;
  const backend = args.backend as WasmLike;
  const eps = (args.attrs as unknown as { eps: number }).eps;
  const out = backend.makeOutput(x.shape, 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const gv = backend.typedArrayFromHeap(scale);
  const bv = backend.typedArrayFromHeap(shift);
  const ov = backend.typedArrayFromHeap(out);
  const c = x.shape[x.shape.length - 1];
  for (let r = 0; r < xv.length; r += c) {
    let mean = 0;
    for (let j = 0; j < c; j++) mean += xv[r + j];
    mean /= c;
    let v = 0;
    for (let j = 0; j < c; j++) {
      const d = xv[r + j] - mean;
      v += d * d;
    }
    const inv = 1 / Math.sqrt(v / c + eps); // biased variance
    for (let j = 0; j < c; j++) ov[r + j] = (xv[r + j] - mean) * inv * gv[j] + bv[j];
  }
  return out;
}

const GELU_A = Math.sqrt(2 / Math.PI);

function geluKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as WasmLike;
  const out = backend.makeOutput(x.shape, 'float32');
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    ov[i] = 0.5 * v * (1 + Math.tanh(GELU_A * (v + 0.044715 * v * v * v)));
  }
  return out;
}

interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

function sharedIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  (args.backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Inference-only fused kernels (no gradients): one engine call instead of 6-9 small ops. */
export const LAYER_NORM_KERNEL = 'LlmfsLayerNorm';
export const GELU_KERNEL = 'LlmfsGeluTanh';

/** Registers the wasm kernel fixes once (called by initBackend after the wasm backend loads). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  const kernel = tf.getKernel('Slice', 'wasm');
  if (kernel) tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    kernelName: 'Slice',
    backendName: 'wasm',
    kernelFunc: fastSlice as unknown as tf.KernelFunc,
  });
  if (tf.getKernel('SplitV', 'wasm')) tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({
    kernelName: 'SplitV',
    backendName: 'wasm',
    kernelFunc: fastSplitV as unknown as tf.KernelFunc,
  });
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: sharedIdentity as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_KERNEL,
    backendName: 'wasm',
    kernelFunc: layerNormKernel as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: GELU_KERNEL,
    backendName: 'wasm',
    kernelFunc: geluKernel as unknown as tf.KernelFunc,
  });
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
    });
  }
}
