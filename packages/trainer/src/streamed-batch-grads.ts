// Loss and gradients of one batch with the model's parameters in host memory (nn's memory plan,
// "streamed"): the backend holds one segment at a time. The forward pass runs block by block without a
// gradient tape and stores only each block's input (activation checkpointing, as torch.utils.checkpoint);
// the head takes the logits and the cross-entropy in row chunks, so [B*T, V] is never whole; the backward
// pass then walks the blocks in reverse, recomputing each block's forward on the tape and pulling the
// gradient through it. Dropout masks are replayed exactly by restoring the generators' states first.
// Gradients are summed in host Float32Arrays and returned as host-resident tensors.
import * as tf from '@tensorflow/tfjs';
import { gradientsFreeingEarly, hostTensor, readHostViews, withDeviceLease } from '@llmfs/nn';
import { crossEntropy } from './cross-entropy.js';
import { TrainerError } from './errors.js';
import { countValid, microBatch } from './micro-batches.js';
import { collectRngs, type RngLike } from './rng-states.js';
import type { BatchLike, TrainableModel } from './types.js';

/** What the streamed step needs of a model (GPTModel has it). */
export interface StreamableModel extends TrainableModel {
  /** Parameters of each segment ('embeddings', 'trf_blocks.<i>', 'head') in forward order. */
  segmentParameters(): Array<[string, tf.Variable[]]>;
  /** ids [B, T] -> rows (1, B*T, C). */
  embed(ids: tf.Tensor2D): tf.Tensor3D;
  trf_blocks: { layers: Array<{ forwardFlat<X extends tf.Tensor>(x: X, b: number, t: number): X }> };
  /** rows (1, N, C) -> (1, N, V). */
  head(x: tf.Tensor3D): tf.Tensor3D;
  checkIds(ids: tf.Tensor): void;
}

/** True when `model` can run the streamed step. */
export function isStreamable(model: unknown): model is StreamableModel {
  const m = model as Partial<StreamableModel>;
  return (
    typeof m.segmentParameters === 'function' &&
    typeof m.embed === 'function' &&
    typeof m.head === 'function' &&
    Array.isArray(m.trf_blocks?.layers)
  );
}

/** Options of {@link streamedBatchGrads}. */
export interface StreamedOptions {
  /** Passes per batch (rows split evenly). Default 1. */
  microBatches?: number;
  /** Tokens of logits per chunk of the head (default: all at once). */
  headChunkTokens?: number;
  ignoreIndex?: number;
}

/** Host buffers of the gradient sums, kept per model between calls. */
const accumulators = new WeakMap<object, Map<string, Float32Array>>();

/** Mean loss and gradients (host-resident tensors, by parameter name) of `batch`, streamed. */
export async function streamedBatchGrads(
  batch: BatchLike,
  model: StreamableModel,
  vars: Array<[string, tf.Variable]>,
  opts: StreamedOptions = {},
): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
  const k = opts.microBatches ?? 1;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const bs = batch.batchSize;
  if (!Number.isInteger(k) || k < 1 || bs % k !== 0)
    throw new TrainerError(`streamedBatchGrads: microBatches ${k} must divide the batch size ${bs}`);
  const total = countValid(batch.targets, ignoreIndex);

  const nameOf = new Map(vars.map(([n, v]) => [v, n]));
  let sums = accumulators.get(model);
  if (!sums) accumulators.set(model, (sums = new Map()));
  for (const [name, v] of vars) {
    let a = sums.get(name);
    if (a?.length !== v.size) sums.set(name, (a = new Float32Array(v.size)));
    a.fill(0);
  }
  const addGrad = (v: tf.Variable, g: tf.Tensor) => {
    const a = sums.get(nameOf.get(v)!)!;
    readHostViews([g], (d) => {
      for (let i = 0; i < d.length; i++) a[i] += d[i];
    });
  };

  let loss = 0;
  for (let j = 0; j < k; j++) {
    const chunkLosses = streamedPass(
      microBatch(batch, j, k),
      model,
      nameOf,
      addGrad,
      total,
      opts.headChunkTokens ?? Infinity,
      ignoreIndex,
    );
    // read with await data(): no synchronous readback in the step (webgpu has none in Node)
    for (const l of chunkLosses) loss += (await l.data())[0];
    tf.dispose(chunkLosses);
  }
  if (total === 0) loss = NaN; // every target ignored: NaN, as PyTorch
  const grads = new Map<string, tf.Tensor>();
  // the buffers are lent to the tensors (no copy); they are refilled by the next call, after the
  // caller has disposed these gradients
  for (const [name, v] of vars) grads.set(name, hostTensor(sums.get(name)!, v.shape));
  return { loss, grads };
}

/**
 * One pass over `part`: forward without a tape, head in chunks, backward with recompute. Adds the
 * gradients of sum(chunk losses weighted by valid targets / `total`) through `addGrad`; returns those
 * weighted chunk losses (scalars the caller reads and disposes).
 */
function streamedPass(
  part: BatchLike,
  model: StreamableModel,
  nameOf: Map<tf.Variable, string>,
  addGrad: (v: tf.Variable, g: tf.Tensor) => void,
  total: number,
  chunkTokens: number,
  ignoreIndex: number,
): tf.Scalar[] {
  const { batchSize: b, seqLen: t } = part;
  const n = b * t;
  const segments = model.segmentParameters();
  const [, embParams] = segments[0];
  const [, headParams] = segments[segments.length - 1];
  const blocks = model.trf_blocks.layers;
  const trainable = (ps: tf.Variable[]) => ps.filter((p) => p.trainable && nameOf.has(p));
  const rngs: RngLike[] = collectRngs(model);
  const saveRngs = () => rngs.map((r) => r.getState());
  const restoreRngs = (s: number[][]) => rngs.forEach((r, i) => r.setState(s[i]));

  // The first segment whose gradient is needed: nothing before it needs a backward pass.
  const firstTrainable = segments.findIndex(([, ps]) => trainable(ps).length > 0);
  if (firstTrainable < 0) throw new TrainerError('streamedBatchGrads: the model has no trainable parameter');

  const ids = tf.tensor2d(part.inputs, [b, t], 'int32');
  const acts: tf.Tensor3D[] = []; // acts[i] = input of block i; acts[L] = input of the head
  const rngBefore: number[][][] = []; // generator states before segment s (0 = embeddings)
  const losses: tf.Scalar[] = [];
  try {
    model.checkIds(ids);
    // forward, no tape: keep each block's input
    rngBefore.push(saveRngs());
    acts.push(withDeviceLease(embParams, () => model.embed(ids)));
    blocks.forEach((blk, i) => {
      rngBefore.push(saveRngs());
      acts.push(withDeviceLease(segments[i + 1][1], () => blk.forwardFlat(acts[i], b, t)));
    });
    const after = saveRngs();

    // head: loss and gradients chunk by chunk over the n rows
    const targets = part.targets;
    const headTrain = trainable(headParams);
    const chunk = Math.max(1, Math.min(n, Number.isFinite(chunkTokens) ? chunkTokens : n));
    const dxParts: tf.Tensor[] = [];
    withDeviceLease(headParams, () => {
      for (let r0 = 0; r0 < n; r0 += chunk) {
        const r1 = Math.min(n, r0 + chunk);
        const tChunk = targets.subarray(r0, r1);
        const valid = countValid(tChunk, ignoreIndex);
        const weight = total === 0 ? 0 : valid / total;
        const xs = tf.slice(acts[blocks.length], [0, r0, 0], [1, r1 - r0, -1]); // (1, rows, C)
        const tt = tf.tensor1d(tChunk, 'int32');
        try {
          const { value, grads } = gradientsFreeingEarly(
            () =>
              tf.tidy(() => {
                const logits = model.head(xs); // (1, rows, V)
                const v = logits.shape[2];
                // an all-ignored chunk has a NaN mean: weight 0 and no NaN through the sum
                const ce =
                  valid === 0
                    ? tf.mul(tf.sum(logits), 0)
                    : crossEntropy(tf.reshape(logits, [r1 - r0, v]), tt, { ignoreIndex });
                return tf.mul(ce, weight) as tf.Scalar;
              }),
            [xs, ...headTrain],
          );
          losses.push(value as tf.Scalar);
          dxParts.push(grads[0]);
          headTrain.forEach((p, i) => {
            addGrad(p, grads[i + 1]);
            grads[i + 1].dispose();
          });
        } finally {
          tf.dispose([xs, tt]);
        }
      }
    });
    let dx: tf.Tensor | undefined = dxParts.length === 1 ? dxParts[0] : tf.concat(dxParts, 1); // (1, n, C)
    if (dxParts.length > 1) tf.dispose(dxParts);

    // blocks in reverse: recompute on the tape, pull dx through, collect weight gradients
    for (let i = blocks.length - 1; i >= 0 && i + 1 >= firstTrainable; i--) {
      const params = segments[i + 1][1];
      const train = trainable(params);
      const needDx = i + 1 > firstTrainable; // something before this block still needs a gradient
      if (train.length === 0 && !needDx) break;
      restoreRngs(rngBefore[i + 1]);
      const x = acts[i];
      const dy: tf.Tensor = dx!;
      const grads: tf.Tensor[] = withDeviceLease(params, () => {
        const r = gradientsFreeingEarly(() => blocks[i].forwardFlat(x, b, t), [x, ...train], dy);
        r.value.dispose();
        return r.grads;
      });
      train.forEach((p, j) => {
        addGrad(p, grads[j + 1]);
        grads[j + 1].dispose();
      });
      dy.dispose();
      dx = grads[0];
    }
    // embeddings
    const embTrain = trainable(embParams);
    if (embTrain.length > 0 && dx) {
      restoreRngs(rngBefore[0]);
      const dy: tf.Tensor = dx;
      const grads: tf.Tensor[] = withDeviceLease(embParams, () => {
        const r = gradientsFreeingEarly(() => model.embed(ids), embTrain, dy);
        r.value.dispose();
        return r.grads;
      });
      embTrain.forEach((p, j) => {
        addGrad(p, grads[j]);
        grads[j].dispose();
      });
    }
    dx?.dispose();
    restoreRngs(after);
    return losses;
  } catch (err) {
    tf.dispose(losses);
    throw err;
  } finally {
    ids.dispose();
    tf.dispose(acts);
  }
}
