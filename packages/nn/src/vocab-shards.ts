// Vocabulary shards for WebGPU adapters with a small maxStorageBufferBindingSize (128 MiB on Mesa, many
// laptops and phones; GPT-2's F32 token embedding is 154 MB). A weight over the limit is never bound
// whole: it stays in host memory, and the kernels get copies of it cut along the vocabulary, each under
// the limit: the lookup gathers from each shard (ids outside a shard read as zero rows) and sums; the
// head multiplies by each shard and concatenates the columns. Parameter names and shapes are unchanged.
// Training differentiates with respect to the shards (`variableGradsWithShards`) and writes their
// gradients into one host-resident gradient of the whole weight, read with `await data()`.
// Only on webgpu, and only for weights over the limit; elsewhere `variableGradsWithShards` is
// tf.variableGrads with nn's freeGradientsEarly.
import * as tf from '@tensorflow/tfjs';
import { gradientsFreeingEarly, withGradientsFreedEarly } from './free-gradients-early.js';
import { assertWithinBindingLimit, bindingLimit, BindingLimitError } from './binding-limit.js';
import { gatherRows } from './gather-rows.js';
import { hostTensor, hostValues, hostWriteEpoch, isOnHost, moveToHost } from './host-residency.js';
import { isRecordingGradients, matMul2d } from './mat-mul-2d.js';
import { peekValues } from './peek-values.js';

interface Shards {
  dataId: object;
  epoch: number;
  limit: number;
  axis: 0 | 1;
  /** Shard j covers [bounds[j], bounds[j + 1]) of the sharded axis. */
  bounds: number[];
  tensors: tf.Tensor2D[];
}
const cache = new WeakMap<tf.Variable, Shards>();
/** The axis along which each layer's weight is split (0: Embedding's rows, 1: Linear's columns). */
const axes = new WeakMap<tf.Variable, 0 | 1>();
/** Weights whose shards a running `variableGradsWithShards` differentiates. */
const taped = new Set<tf.Variable>();

/** Declares how `weight` is split when it exceeds the binding limit (layers call this once). */
export function useVocabShards(weight: tf.Variable, axis: 0 | 1): void {
  axes.set(weight, axis);
}

/** Frees the device copies (shards) of these weights, if any (Module.dispose calls it). */
export function releaseVocabShards(weights: tf.Variable[]): void {
  for (const w of weights) {
    const hit = cache.get(w);
    if (!hit) continue;
    tf.dispose(hit.tensors);
    cache.delete(w);
  }
}

/** True when `weight` must be split to be used on the active backend (webgpu, over its binding limit). */
export function needsVocabShards(weight: tf.Tensor): boolean {
  return tf.getBackend() === 'webgpu' && weight.size * 4 > bindingLimit();
}

/** Equal-sized shard bounds of `n` slices of `sliceBytes` each, every shard within `limit` bytes. */
export function shardBounds(n: number, sliceBytes: number, limit: number, what: string): number[] {
  const perShard = Math.floor(limit / sliceBytes);
  if (perShard < 1) {
    throw new BindingLimitError(
      `one slice of ${what} is ${sliceBytes} bytes, over the webgpu binding limit of ${limit} bytes`,
    );
  }
  const count = Math.ceil(n / perShard);
  const size = Math.ceil(n / count);
  const bounds = [0];
  for (let j = 1; j <= count; j++) bounds.push(Math.min(n, j * size));
  return bounds;
}

/** The weight's values in host memory (moved there the first time, before anything uploads it whole). */
function hostCopyOf(weight: tf.Variable, what: string): Float32Array {
  if (!isOnHost(weight)) {
    if (peekValues(weight) === undefined) {
      throw new BindingLimitError(
        `${what} [${weight.shape.join(',')}] is already on the GPU whole: load it after choosing the webgpu backend`,
      );
    }
    moveToHost([weight]); // its values were never uploaded: no readback
  }
  return hostValues(weight);
}

/** Shards of a 2-D weight along `axis` (0: rows, 1: columns), cached until the weight changes. */
function shardsOf(weight: tf.Variable, axis: 0 | 1, what: string): Shards {
  const limit = bindingLimit();
  const hit = cache.get(weight);
  const fresh = hit && hit.dataId === weight.dataId && hit.epoch === hostWriteEpoch() && hit.limit === limit;
  if (isRecordingGradients() && !(taped.has(weight) && fresh)) {
    // tf.variableGrads would see no path to the weight (or to new shards) and silently leave its gradient out
    throw new BindingLimitError(
      `training ${what} [${weight.shape.join(',')}] over the webgpu binding limit (${(limit / 2 ** 20).toFixed(0)} MiB) needs nn's variableGradsWithShards`,
    );
  }
  if (fresh) return hit!;
  if (hit) tf.dispose(hit.tensors);
  const values = hostCopyOf(weight, what);
  const [rows, cols] = weight.shape as [number, number];
  const bounds =
    axis === 0 ? shardBounds(rows, cols * 4, limit, what) : shardBounds(cols, rows * 4, limit, what);
  const tensors: tf.Tensor2D[] = [];
  for (let j = 0; j + 1 < bounds.length; j++) {
    const [a, b] = [bounds[j], bounds[j + 1]];
    if (axis === 0) {
      tensors.push(tf.tensor2d(values.slice(a * cols, b * cols), [b - a, cols]));
    } else {
      const w = b - a;
      const part = new Float32Array(rows * w);
      for (let i = 0; i < rows; i++) part.set(values.subarray(i * cols + a, i * cols + b), i * w);
      tensors.push(tf.tensor2d(part, [rows, w]));
    }
  }
  tensors.forEach((t) => tf.keep(t));
  const entry: Shards = { dataId: weight.dataId, epoch: hostWriteEpoch(), limit, axis, bounds, tensors };
  cache.set(weight, entry);
  return entry;
}

/** Row lookup of a [num, dim] weight over the binding limit: ids (any shape) -> [..., dim]. */
export function shardedEmbeddingLookup(weight: tf.Variable, ids: tf.Tensor): tf.Tensor {
  const { bounds, tensors } = shardsOf(weight, 0, 'embedding weight');
  const dim = (weight.shape as [number, number])[1];
  return tf.tidy(() => {
    const flat = tf.reshape(ids, [-1]); // (...) -> (N,)
    let sum: tf.Tensor | undefined;
    tensors.forEach((shard, j) => {
      const [a, b] = [bounds[j], bounds[j + 1]];
      const [lo, hi] = [tf.scalar(a, 'int32'), tf.scalar(b, 'int32')];
      const inside = tf.logicalAnd(tf.greaterEqual(flat, lo), tf.less(flat, hi)); // (N,)
      const local = tf.where(inside, tf.sub(flat, lo), tf.zerosLike(flat)); // ids of other shards -> row 0
      // (N, dim), zeros outside; the mask also zeroes their gradient into row 0
      const rows = tf.mul(gatherRows(shard, local), tf.expandDims(tf.cast(inside, 'float32'), 1));
      sum = sum ? tf.add(sum, rows) : rows; // exact: each id has one non-zero term
    });
    return tf.reshape(sum!, [...ids.shape, dim]); // (N, dim) -> (..., dim)
  });
}

/** x [N, in] @ W [in, out] (+ b) with W over the binding limit: per-shard products, columns concatenated. */
export function shardedMatMul(x2: tf.Tensor2D, weight: tf.Variable, bias?: tf.Tensor): tf.Tensor2D {
  const { bounds, tensors } = shardsOf(weight, 1, 'linear weight');
  const [n, out] = [x2.shape[0], (weight.shape as [number, number])[1]];
  assertWithinBindingLimit(
    `the output [${n}, ${out}] of a sharded linear layer (take the logits in row chunks: logitRowsPerChunk)`,
    n * out * 4,
  );
  return tf.tidy(() => {
    const parts = tensors.map((shard, j) => {
      // matMul2d: its gradient multiplies by explicit transposes. tfjs-webgpu's transposeB product (tf.matMul's
      // own gradient) was wrong on Mesa for an inner size that is a multiple of 4 (25,128: |error| ~700)
      const y = matMul2d(x2, shard); // (N, w_j)
      return bias ? tf.add(y, tf.slice(bias, [bounds[j]], [bounds[j + 1] - bounds[j]])) : y;
    });
    return tf.concat(parts, 1) as tf.Tensor2D; // (N, out)
  });
}

/**
 * `tf.variableGrads(f, varList)` that also trains weights over the webgpu binding limit: it
 * differentiates with respect to their shards and returns, for each such weight, one host-resident
 * gradient of its whole shape (read from the device with `await data()`, never bound whole). Without
 * such weights it is `tf.variableGrads`. Same results: the value, and gradients by variable name
 * (non-trainable variables of `varList` map to null, as in tfjs).
 */
export async function variableGradsWithShards(
  f: () => tf.Scalar,
  varList: tf.Variable[],
): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap }> {
  const sharded = varList.filter((v) => v.trainable && axes.has(v) && needsVocabShards(v));
  if (sharded.length === 0) return tf.variableGrads(withGradientsFreedEarly(f), varList);
  const plain = varList.filter((v) => v.trainable && !sharded.includes(v));
  const shardSets = sharded.map((v) => shardsOf(v, axes.get(v)!, v.name));
  const xs: tf.Tensor[] = [...plain, ...shardSets.flatMap((s) => s.tensors)];
  sharded.forEach((v) => taped.add(v));
  let result: { value: tf.Scalar; grads: tf.Tensor[] };
  try {
    result = gradientsFreeingEarly(f, xs);
  } finally {
    sharded.forEach((v) => taped.delete(v));
  }
  const { value, grads } = result;
  const named: tf.NamedTensorMap = {};
  plain.forEach((v, i) => {
    if (grads[i]) named[v.name] = grads[i];
  });
  let k = plain.length;
  try {
    for (let s = 0; s < sharded.length; s++) {
      const parts = grads.slice(k, k + shardSets[s].tensors.length);
      k += shardSets[s].tensors.length;
      // no path from the weight to the value: no gradient, as tf.variableGrads
      if (parts.every((g) => !g)) continue;
      named[sharded[s].name] = await assembleOnHost(sharded[s], shardSets[s], parts);
    }
  } catch (err) {
    tf.dispose([value, ...grads.slice(k)]);
    tf.dispose(Object.values(named));
    throw err;
  }
  for (const v of varList) if (!v.trainable) named[v.name] = null as unknown as tf.Tensor;
  return { value, grads: named };
}

/** The whole weight's gradient in host memory from its shards' gradients (missing ones are zero); frees them. */
async function assembleOnHost(
  weight: tf.Variable,
  s: Shards,
  parts: Array<tf.Tensor | null>,
): Promise<tf.Tensor> {
  const [rows, cols] = weight.shape as [number, number];
  const out = new Float32Array(rows * cols);
  try {
    for (let j = 0; j < parts.length; j++) {
      const g = parts[j];
      if (!g) continue;
      const d = (await g.data()) as Float32Array;
      const [a, b] = [s.bounds[j], s.bounds[j + 1]];
      if (s.axis === 0) out.set(d, a * cols);
      else {
        const w = b - a;
        for (let i = 0; i < rows; i++) out.set(d.subarray(i * w, (i + 1) * w), i * cols + a);
      }
    }
  } finally {
    tf.dispose(parts.filter((g): g is tf.Tensor => g !== null));
  }
  return hostTensor(out, weight.shape);
}
