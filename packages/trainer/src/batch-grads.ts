// Loss and gradients of one batch, optionally in micro-batches (gradient accumulation): the rows are
// split into `microBatches` equal parts, each part's gradients are added into host Float32Arrays with
// weight (valid targets in the part) / (valid targets in the batch), so the result is the full batch's
// mean loss and gradient. Peak memory holds one part's activations: GPT-2 124M at batch 2, context 256,
// does not fit wasm's 4 GiB heap in one pass (tfjs keeps every saved activation until the end of backward).
import * as tf from '@tensorflow/tfjs';
import { calcLossBatch } from './calc-loss-batch.js';
import { TrainerError } from './errors.js';
import type { BatchLike, TrainableModel } from './types.js';

/** Loss (before the update) and gradients by parameter name; the caller disposes the gradients. */
export interface BatchGrads {
  loss: number;
  grads: Map<string, tf.Tensor>;
}

/** Mean loss and gradients of `batch` w.r.t. `vars` (name, variable), in `microBatches` passes. */
export async function batchGrads(
  batch: BatchLike,
  model: Pick<TrainableModel, 'forward'>,
  vars: Array<[string, tf.Variable]>,
  opts: { microBatches?: number; ignoreIndex?: number } = {},
): Promise<BatchGrads> {
  const k = opts.microBatches ?? 1;
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const nameOf = new Map(vars.map(([n, v]) => [v.name, n]));
  const varList = vars.map(([, v]) => v);
  const pass = (b: BatchLike) => {
    const { value, grads } = tf.variableGrads(() => calcLossBatch(b, model, { ignoreIndex }), varList);
    const named = new Map<string, tf.Tensor>();
    for (const [key, g] of Object.entries(grads)) named.set(nameOf.get(key) ?? key, g);
    return { value, named };
  };
  if (k === 1) {
    const { value, named } = pass(batch);
    const loss = (await value.data())[0];
    value.dispose();
    return { loss, grads: named };
  }
  const { batchSize: bs, seqLen: t } = batch;
  if (!Number.isInteger(k) || k < 1 || bs % k !== 0) {
    throw new TrainerError(`batchGrads: microBatches ${k} must divide the batch size ${bs}`);
  }
  const rows = bs / k;
  const valid = (a: Int32Array) => a.reduce((n, x) => n + (x !== ignoreIndex ? 1 : 0), 0);
  const total = valid(batch.targets);
  const acc = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  let loss = 0;
  for (let j = 0; j < k; j++) {
    const part: BatchLike = {
      inputs: batch.inputs.subarray(j * rows * t, (j + 1) * rows * t),
      targets: batch.targets.subarray(j * rows * t, (j + 1) * rows * t),
      batchSize: rows,
      seqLen: t,
    };
    const w = total === 0 ? 1 / k : valid(part.targets) / total; // all ignored: NaN, as PyTorch
    const { value, named } = pass(part);
    const l = (await value.data())[0];
    value.dispose();
    if (w > 0 || total === 0) loss += w * l;
    for (const [name, g] of named) {
      const d = (await g.data()) as Float32Array;
      shapes.set(name, g.shape);
      g.dispose();
      let a = acc.get(name);
      if (!a) acc.set(name, (a = new Float32Array(d.length)));
      if (w > 0) for (let i = 0; i < d.length; i++) a[i] += w * d[i];
    }
  }
  const grads = new Map<string, tf.Tensor>();
  for (const [name, a] of acc) grads.set(name, tf.tensor(a, shapes.get(name)!, 'float32'));
  return { loss, grads };
}
