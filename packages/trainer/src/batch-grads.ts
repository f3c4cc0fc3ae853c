// Loss and gradients of one batch, optionally in micro-batches (gradient accumulation): the rows are
// split into `microBatches` equal parts, each part's gradients are added into host Float32Arrays with
// weight (valid targets in the part) / (valid targets in the batch) (on the device where the backend
// prefers it: nn's prefersHostGradientSums), so the result is the full batch's
// mean loss and gradient. Peak memory holds one part's activations: GPT-2 124M at batch 2, context 256,
// does not fit wasm's 4 GiB heap in one pass (tfjs keeps every saved activation until the end of backward).
import * as tf from '@tensorflow/tfjs';
import {
  checkWasmHealth,
  hostTensor,
  hostValues,
  isOnHost,
  preferHostOptimizerState,
  prefersHostGradientSums,
  readHostViews,
  variableGradsWithShards,
  writeHostTensor,
  type MemoryPlan,
} from '@llmfs/nn';
import { calcLossBatch } from './calc-loss-batch.js';
import { TrainerError } from './errors.js';
import { countValid, microBatch } from './micro-batches.js';
import { isStreamable, streamedBatchGrads } from './streamed-batch-grads.js';
import type { BatchLike, LossBatch, StepBatch, TrainableModel } from './types.js';

/** Loss (before the update) and gradients by parameter name; the caller disposes the gradients. */
export interface BatchGrads {
  loss: number;
  grads: Map<string, tf.Tensor>;
}

/** Options of {@link batchGrads}. */
export interface BatchGradsOptions<B extends StepBatch = BatchLike> {
  microBatches?: number;
  ignoreIndex?: number;
  /** nn's memory plan; 'streamed' runs the block-by-block step with host-resident parameters. */
  plan?: Pick<MemoryPlan, 'mode' | 'microBatches' | 'headChunkTokens'>;
  /**
   * The batch's loss (default: next-token cross-entropy, calcLossBatch). Another loss (chapter 6's
   * last-token classification) runs the batch in one resident pass (no streamed plan, one micro-batch).
   */
  lossBatch?: LossBatch<B>;
}

/**
 * Host buffers of the gradient sums, kept per model between calls: allocating GPT-2 124M's 650 MB of
 * them afresh each step cost 3 s, more than the summing itself.
 */
const accumulators = new WeakMap<object, Map<string, Float32Array>>();

/** Mean loss and gradients of `batch` w.r.t. `vars` (name, variable), in `microBatches` passes. */
export async function batchGrads<B extends StepBatch = BatchLike>(
  batch: B,
  model: Pick<TrainableModel, 'forward'>,
  vars: Array<[string, tf.Variable]>,
  opts: BatchGradsOptions<B> = {},
): Promise<BatchGrads> {
  const result = await batchGradsUnchecked(batch, model, vars, opts);
  try {
    checkWasmHealth(); // XNNPACK failed an allocation: these gradients are wrong
  } catch (err) {
    tf.dispose([...result.grads.values()]);
    throw err;
  }
  return result;
}

async function batchGradsUnchecked<B extends StepBatch>(
  batchIn: B,
  model: Pick<TrainableModel, 'forward'>,
  vars: Array<[string, tf.Variable]>,
  opts: BatchGradsOptions<B> = {},
): Promise<BatchGrads> {
  const { plan, lossBatch } = opts;
  // another loss (chapter 6's labels) has no targets to split or stream by: one resident pass
  if (lossBatch && (plan?.mode === 'streamed' || (opts.microBatches ?? plan?.microBatches ?? 1) !== 1))
    throw new TrainerError(
      'batchGrads: a custom loss runs in one resident pass (no streaming, no micro-batches)',
    );
  const batch = batchIn as unknown as BatchLike;
  if (plan?.mode === 'streamed') {
    if (!isStreamable(model))
      throw new TrainerError('batchGrads: a streamed memory plan needs a model with segments (GPTModel)');
    return streamedBatchGrads(batch, model, vars, {
      microBatches: opts.microBatches ?? plan.microBatches,
      headChunkTokens: plan.headChunkTokens,
      ignoreIndex: opts.ignoreIndex,
    });
  }
  const k = opts.microBatches ?? plan?.microBatches ?? 1;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const nameOf = new Map(vars.map(([n, v]) => [v.name, n]));
  const varList = vars.map(([, v]) => v);
  const varByName = new Map(vars);
  const lossOf = (b: BatchLike) =>
    lossBatch ? lossBatch(b as unknown as B, model) : calcLossBatch(b, model, { ignoreIndex });
  const pass = async (b: BatchLike) => {
    // tf.variableGrads, also for weights over a webgpu binding limit (nn's vocabulary shards)
    const { value, grads } = await variableGradsWithShards(() => lossOf(b), varList);
    const named = new Map<string, tf.Tensor>();
    for (const [key, g] of Object.entries(grads)) named.set(nameOf.get(key) ?? key, g);
    return { value, named };
  };
  if (k === 1) {
    const { value, named } = await pass(batch);
    const loss = (await value.data())[0];
    value.dispose();
    return { loss, grads: named };
  }
  const bs = batch.batchSize;
  if (!Number.isInteger(k) || k < 1 || bs % k !== 0) {
    throw new TrainerError(`batchGrads: microBatches ${k} must divide the batch size ${bs}`);
  }
  const valid = (a: Int32Array) => countValid(a, ignoreIndex);
  const total = valid(batch.targets);
  if (!prefersHostGradientSums()) {
    // GPU and native backends: the weighted sums stay on the device (host sums would read every gradient back)
    const sums = new Map<string, tf.Tensor>();
    const hostSums = new Map<string, { values: Float32Array; shape: number[] }>();
    let loss = 0;
    for (let j = 0; j < k; j++) {
      const part = microBatch(batch, j, k);
      const w = total === 0 ? 1 / k : valid(part.targets) / total;
      const { value, named } = await pass(part);
      const l = (await value.data())[0];
      value.dispose();
      if (w > 0 || total === 0) loss += w * l;
      for (const [name, g] of named) {
        if (isOnHost(g)) {
          // a vocabulary-sharded weight's gradient, assembled in host memory by nn (over the binding
          // limit on the device): its sum stays there too
          const d = hostValues(g);
          let sum = hostSums.get(name);
          if (!sum) hostSums.set(name, (sum = { values: new Float32Array(d.length), shape: g.shape }));
          if (w > 0) for (let i = 0; i < d.length; i++) sum.values[i] += w * d[i];
          g.dispose();
          continue;
        }
        const prev = sums.get(name);
        sums.set(
          name,
          tf.tidy(() => {
            const wg = w > 0 ? tf.mul(g, w) : tf.zerosLike(g);
            return prev ? tf.add(prev, wg) : wg;
          }),
        );
        tf.dispose([g, prev].filter((t): t is tf.Tensor => t !== undefined));
      }
    }
    for (const [name, { values, shape }] of hostSums) sums.set(name, hostTensor(values, shape));
    return { loss, grads: sums };
  }
  const acc = new Map<string, Float32Array>();
  const grads = new Map<string, tf.Tensor>();
  let buffers = accumulators.get(model);
  if (!buffers) accumulators.set(model, (buffers = new Map()));
  let loss = 0;
  for (let j = 0; j < k; j++) {
    const part = microBatch(batch, j, k);
    const w = total === 0 ? 1 / k : valid(part.targets) / total; // all ignored: NaN, as PyTorch
    const { value, named } = await pass(part);
    const l = (await value.data())[0];
    value.dispose();
    if (w > 0 || total === 0) loss += w * l;
    for (const [name, gOnDevice] of named) {
      // the gradients are read in place (nn's host views): no copy out of wasm's heap; a GPU's are
      // read with await data() (no synchronous readback)
      const g = preferHostOptimizerState()
        ? gOnDevice
        : hostTensor((await gOnDevice.data()) as Float32Array, gOnDevice.shape);
      if (g !== gOnDevice) gOnDevice.dispose();
      const a = acc.get(name);
      if (j < k - 1) {
        readHostViews([g], (d) => {
          if (a) {
            if (w > 0) for (let i = 0; i < d.length; i++) a[i] += w * d[i];
            return;
          }
          let sum = buffers.get(name);
          if (sum?.length !== d.length) buffers.set(name, (sum = new Float32Array(d.length)));
          if (w > 0) for (let i = 0; i < d.length; i++) sum[i] = w * d[i];
          else sum.fill(0);
          acc.set(name, sum);
        });
      } else {
        // last part: the sum is written straight into the result tensor
        grads.set(
          name,
          writeHostTensor(g.shape, [g], (out, d) => {
            for (let i = 0; i < d.length; i++) out[i] = (a ? a[i] : 0) + (w > 0 ? w * d[i] : 0);
          }),
        );
        acc.delete(name);
      }
      g.dispose();
    }
  }
  // a parameter that had a gradient in an earlier part only (a copy: the buffer is reused next call)
  for (const [name, a] of acc) grads.set(name, tf.tensor(a.slice(), varByName.get(name)!.shape, 'float32'));
  return { loss, grads };
}
