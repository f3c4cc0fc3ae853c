// The streamed step (host-resident parameters, recompute, chunked logits) against the resident one, and
// against the book's six AdamW losses, with nn's memory plan forced to stream by a tiny heap budget.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLoaderV1 } from '@llmfs/data-loader';
import { applyMemoryPlan, modelMemoryProfile, type GPTModel } from '@llmfs/gpt-model';
import { initBackend, isOnHost, planTraining } from '@llmfs/nn';
import { gptTinyExpected, maxAbsDiff, theVerdict } from '@llmfs/testing';
import { AdamW } from './adamw.js';
import { batchGrads } from './batch-grads.js';
import { loadGptTiny } from '../test/gpt-tiny.js';
import { tinyLoaders, tinyModel } from '../test/tiny-setup.js';

/** 8 KB of heap: not even the streamed plan fits. */
const TINY_BUDGET = 8 * 1024;

/** The smallest power-of-two budget from 64 KB up that some plan fits, and that plan. */
function smallestPlan(model: GPTModel, seqLen: number, batchSize: number) {
  const profile = modelMemoryProfile(model, { seqLen });
  for (let budget = 64 * 1024; ; budget *= 2) {
    try {
      return planTraining(profile, { batchSize, budgetBytes: budget });
    } catch {
      // too small: try twice the budget
    }
  }
}

function fixtureBatches() {
  return [
    ...createDataLoaderV1(theVerdict(), { batchSize: 2, maxLength: 32, stride: 32, shuffle: false }),
  ].slice(0, 6);
}

async function gradsOf(model: GPTModel, streamed: boolean, microBatches = 1, headChunkTokens = Infinity) {
  const [batch] = [...tinyLoaders().train];
  const vars = model.trainableParameters();
  const plan = streamed
    ? { mode: 'streamed' as const, microBatches, headChunkTokens }
    : { mode: 'resident' as const, microBatches, headChunkTokens: Infinity };
  const { loss, grads } = await batchGrads(batch, model, vars, { plan });
  const out = new Map<string, Float32Array>();
  for (const [n, g] of grads) out.set(n, Float32Array.from(g.dataSync() as Float32Array));
  tf.dispose([...grads.values()]);
  return { loss, grads: out };
}

describe.each(['wasm', 'cpu'] as const)('streamed step on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, { log: () => {} });
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  it('a tiny budget makes the plan stream, with recompute and chunked logits', () => {
    const model = tinyModel();
    const plan = smallestPlan(model, 16, 2);
    expect(plan.mode).toBe('streamed');
    expect(planTraining(modelMemoryProfile(model, { seqLen: 16 }), { batchSize: 2 }).mode).toBe('resident');
    expect(plan.recompute).toBe(true);
    expect(plan.hostSegments).toEqual(['embeddings', 'trf_blocks.0', 'head']);
    expect(plan.summary).toContain('streamed');
    expect(() =>
      planTraining(modelMemoryProfile(model, { seqLen: 16 }), { batchSize: 2, budgetBytes: TINY_BUDGET }),
    ).toThrow(/needs ~.* this backend holds/);
    model.dispose();
  });

  it('equals the resident step (dropout on: masks replayed), with micro-batches and row chunks', async () => {
    const resident = tinyModel();
    const streamed = tinyModel();
    if (backend === 'wasm') {
      applyMemoryPlan(streamed, { hostSegments: ['embeddings', 'trf_blocks.0', 'head'] });
      expect(streamed.parameters().every((p) => isOnHost(p))).toBe(true);
    }
    const a = await gradsOf(resident, false);
    const b = await gradsOf(streamed, true);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    for (const [n, g] of a.grads) expect(maxAbsDiff(g, b.grads.get(n)!), n).toBeLessThan(1e-5);
    // two micro-batches of one row and 5-token logits chunks: same numbers, other draws of dropout
    // masks per pass, so compare with the resident step in two micro-batches
    const a2 = await gradsOf(resident, false, 2);
    const b2 = await gradsOf(streamed, true, 2, 5);
    expect(Math.abs(a2.loss - b2.loss)).toBeLessThan(1e-5);
    for (const [n, g] of a2.grads) expect(maxAbsDiff(g, b2.grads.get(n)!), n).toBeLessThan(1e-5);
    if (backend === 'wasm') expect(streamed.parameters().every((p) => isOnHost(p))).toBe(true);
    resident.dispose();
    streamed.dispose();
  });

  // the cpu backend takes 20 s for these six steps of a 50,257-token head: wasm only
  it.skipIf(backend === 'cpu')(
    "reproduces the book's six AdamW losses with streaming forced, and leaks no tensor",
    async () => {
      const model = loadGptTiny().train();
      const plan = smallestPlan(model, 32, 2);
      expect(plan.mode).toBe('streamed');
      expect(plan.headChunkTokens).toBeLessThan(64); // the logits of the 64 tokens are taken in chunks
      applyMemoryPlan(model, plan);
      const opt = new AdamW(model.trainableParameters(), { lr: 1e-3, weightDecay: 0.1 });
      const expected: number[] = gptTinyExpected().adamw_training.losses_before_each_step;
      const losses: number[] = [];
      const counts: number[] = [];
      for (const batch of fixtureBatches()) {
        const { loss, grads } = await batchGrads(batch, model, model.trainableParameters(), { plan });
        opt.step(grads, { disposeGrads: true });
        losses.push(loss);
        counts.push(tf.memory().numTensors);
      }
      losses.forEach((l, i) => expect(Math.abs(l - expected[i]), `step ${i}`).toBeLessThan(1e-3));
      expect(new Set(counts.slice(1)).size).toBe(1); // flat after the first step
      if (backend === 'wasm') expect(model.parameters().every((p) => isOnHost(p))).toBe(true);
      model.dispose();
    },
  );

  it('streamed inference: a host-resident model gives the resident logits', () => {
    const resident = loadGptTiny();
    const streamed = loadGptTiny();
    applyMemoryPlan(streamed, { hostSegments: ['trf_blocks.1', 'head'] });
    const ids = tf.tensor2d(fixtureBatches()[0].inputs.slice(0, 32), [1, 32], 'int32');
    const a = resident.forward(ids);
    const b = streamed.forward(ids);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    if (backend === 'wasm') {
      expect(streamed.trf_blocks.layers[1].parameters().every((p) => isOnHost(p))).toBe(true);
      expect(streamed.trf_blocks.layers[0].parameters().some((p) => isOnHost(p))).toBe(false);
    }
    tf.dispose([ids, a, b]);
    resident.dispose();
    streamed.dispose();
  });
});
