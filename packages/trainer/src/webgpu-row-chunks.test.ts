// Logits and cross-entropy split by rows, and training weights over the binding limit, on webgpu with a
// lowered binding limit (4 MiB): a GPT whose token embedding and head (6.4 MB each) exceed it runs its
// embedding and head in vocabulary shards and its loss in row chunks; no kernel binds more than the
// limit, and the logits, the loss and every parameter's gradient equal the wasm backend's. Skipped, with
// one line, where webgpu cannot start; never skipped under CI. AdamW then trains the sharded weights as on
// wasm, also when its state is saved and reloaded between two steps (host moments, as resume).
import * as tf from '@tensorflow/tfjs';
import { BindingLimitError, initBackend, variableGradsWithShards } from '@llmfs/nn';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { backendSkipReason, largestBinding, maxAbsDiff } from '@llmfs/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { batchGrads } from './batch-grads.js';
import { calcLossBatch } from './calc-loss-batch.js';
import type { BatchLike } from './types.js';

const quiet = { log: () => {} };
const reason = await backendSkipReason((b) => initBackend(b, quiet), 'webgpu');
const LIMIT = 4 * 2 ** 20;

// vocab 50257 x 32 floats = 6.4 MB: 2 shards of 25,129 and 25,128 rows (an inner size that is a multiple
// of 4 is where tfjs-webgpu's transposed product went wrong); 32 rows of logits = 6.4 MB: chunks of 20 + 12
const cfg: GPTConfig = {
  vocabSize: 50257,
  contextLength: 16,
  embDim: 32,
  nHeads: 2,
  nLayers: 1,
  dropRate: 0,
  qkvBias: true,
};
const ids = Int32Array.from({ length: 32 }, (_, i) => (i * 7919 + 13) % 50257);
// the last row's targets are partly ignored (-100): the chunks' weights follow the valid targets
const targets = Int32Array.from({ length: 32 }, (_, i) => (i > 27 ? -100 : (i * 104729 + 5) % 50257));
const batch: BatchLike = { inputs: ids, targets, batchSize: 2, seqLen: 16 };

interface Run {
  logits: Float32Array;
  loss: number;
  grads: Map<string, Float32Array>;
}

/** Logits of the first row, the batch's loss and gradients on `backend`. */
async function run(backend: string, maxBindingBytes?: number): Promise<Run> {
  await initBackend(backend, { ...quiet, maxBindingBytes });
  const model = new GPTModel(cfg, { seed: 7 }).eval();
  const row = tf.tensor2d(ids.subarray(0, 16), [1, 16], 'int32'); // 16 rows: 3.2 MB of logits, one binding
  const y = model.forward(row);
  const logits = (await y.data()) as Float32Array;
  tf.dispose([row, y]);
  const vars = model.namedParameters();
  const { value, grads } = await variableGradsWithShards(
    () => calcLossBatch(batch, model),
    vars.map(([, v]) => v),
  );
  const loss = (await value.data())[0];
  const named = new Map<string, Float32Array>();
  for (const [name, v] of vars) {
    const g = grads[v.name];
    named.set(name, g ? ((await g.data()) as Float32Array) : new Float32Array(0));
  }
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  return { logits, loss, grads: named };
}

/** Loss after two AdamW steps (the optimizer saved and reloaded between them on request). */
async function twoSteps(backend: string, limit?: number, roundTrip = false) {
  await initBackend(backend, { ...quiet, maxBindingBytes: limit });
  const model = new GPTModel(cfg, { seed: 7 });
  const vars = model.namedParameters();
  const opts = { lr: 1e-3, weightDecay: 0.1 };
  let opt = new AdamW(vars, opts);
  for (let s = 0; s < 2; s++) {
    const { grads } = await batchGrads(batch, model, vars);
    opt.step(grads, { disposeGrads: true });
    if (roundTrip && s === 0) {
      const sd = opt.stateDict();
      const next = new AdamW(vars, opts);
      next.loadStateDict(sd);
      tf.dispose([...sd.values()]);
      opt.dispose();
      opt = next;
    }
  }
  const { loss, grads } = await batchGrads(batch, model, vars);
  tf.dispose([...grads.values()]);
  const emb = (await model.tok_emb.weight.data()).slice() as Float32Array;
  const head = (await model.out_head.weight.data()).slice() as Float32Array;
  opt.dispose();
  model.dispose();
  return { loss, emb, head };
}

describe.skipIf(!!reason)('webgpu with a 4 MiB binding limit: shards and row chunks', () => {
  // wasm first: a tensor a module caches on webgpu cannot be read back synchronously by wasm later
  let want: Run;
  let wantSteps: Awaited<ReturnType<typeof twoSteps>>;
  beforeAll(async () => {
    want = await run('wasm');
    wantSteps = await twoSteps('wasm');
  });

  it('logits, loss and all gradients equal wasm; no binding over the limit; no tensor leaks', async () => {
    await initBackend('webgpu', { ...quiet, maxBindingBytes: LIMIT });
    const before = tf.memory().numTensors;
    const { result: got, bytes } = await largestBinding(tf.backend(), () => run('webgpu', LIMIT));
    expect(tf.memory().numTensors).toBe(before);
    const dl = Math.abs(got.loss - want.loss);
    const dLogits = maxAbsDiff(got.logits, want.logits);
    let dg = 0;
    for (const [name, g] of want.grads) {
      const h = got.grads.get(name)!;
      expect(h.length, name).toBe(g.length);
      // relative to the gradient's own scale: the head's and the embedding's are ~1e-4 per entry. The
      // floor is for W_key.bias, whose gradient is exactly zero in exact arithmetic (a bias added to every
      // key shifts each query's scores by a constant, which softmax ignores): its entries are rounding
      // noise (~4e-10 on both backends)
      const scale = g.reduce((m, x) => Math.max(m, Math.abs(x)), 1e-5);
      dg = Math.max(dg, maxAbsDiff(h, g) / scale);
    }
    console.log(
      `[webgpu 4 MiB] largest binding ${(bytes / 2 ** 20).toFixed(2)} MiB; vs wasm: logits ${dLogits.toExponential(2)}, loss ${dl.toExponential(2)}, gradients ${dg.toExponential(2)} (relative to each max)`,
    );
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(LIMIT);
    expect(want.grads.get('tok_emb.weight')!.some((x) => x !== 0)).toBe(true);
    expect(dLogits).toBeLessThan(1e-4);
    expect(dl).toBeLessThan(1e-5);
    expect(dg).toBeLessThan(1e-3);
  });

  it('micro-batches on webgpu: the sharded gradients summed in host memory equal the whole batch on wasm', async () => {
    await initBackend('webgpu', { ...quiet, maxBindingBytes: LIMIT });
    const model = new GPTModel(cfg, { seed: 7 }).eval();
    const vars = model.namedParameters();
    // 2 parts of one row each; the second row's ignored targets weight the parts 16/28 and 12/28
    const { loss, grads } = await batchGrads(batch, model, vars, { microBatches: 2 });
    expect(Math.abs(loss - want.loss)).toBeLessThan(1e-5);
    for (const [name, g] of want.grads) {
      const h = (await grads.get(name)!.data()) as Float32Array;
      const scale = g.reduce((m, x) => Math.max(m, Math.abs(x)), 1e-5); // floor: see the first test
      expect(maxAbsDiff(h, g) / scale, name).toBeLessThan(1e-3);
    }
    tf.dispose([...grads.values()]);
    model.dispose();
  });

  it('AdamW trains the sharded weights as on wasm, also across a state-dict round trip', async () => {
    const want = wantSteps;
    const got = await twoSteps('webgpu', LIMIT, true);
    await initBackend('webgpu', { ...quiet, maxBindingBytes: undefined });
    const dl = Math.abs(got.loss - want.loss);
    const [de, dh] = [maxAbsDiff(got.emb, want.emb), maxAbsDiff(got.head, want.head)];
    console.log(
      `[webgpu 4 MiB] after two AdamW steps vs wasm: loss ${dl.toExponential(2)}, max |diff| embedding ${de.toExponential(2)}, head ${dh.toExponential(2)}`,
    );
    expect(dl).toBeLessThan(1e-4);
    expect(de).toBeLessThan(1e-4);
    expect(dh).toBeLessThan(1e-4);
  });

  it('refuses logits that would be bound whole over the limit, and tf.variableGrads of a sharded weight', async () => {
    await initBackend('webgpu', { ...quiet, maxBindingBytes: LIMIT });
    const model = new GPTModel(cfg, { seed: 7 }).eval();
    const all = tf.tensor2d(ids, [2, 16], 'int32'); // 32 rows of logits: 6.4 MB in one tensor
    expect(() => model.forward(all)).toThrow(BindingLimitError);
    const vars = model.namedParameters().map(([, v]) => v);
    expect(() => tf.variableGrads(() => calcLossBatch(batch, model), vars)).toThrow(
      /tok_emb\.weight|embedding weight.*variableGradsWithShards/,
    );
    all.dispose();
    model.dispose();
    await initBackend('webgpu', { ...quiet, maxBindingBytes: undefined });
  });
});
