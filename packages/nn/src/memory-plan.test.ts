// nn's memory plan on hand-made profiles: the order of choices (resident, fewer micro-batches first,
// then streamed), the inference split between resident and streamed segments, and the errors.
import { describe, expect, it } from 'vitest';
import { MemoryPlanError, planInference, planTraining } from './index.js';
import { heapBudget, parseByteSize } from './memory-plan.js';
import type { ModelMemoryProfile } from './index.js';

const MiB = 2 ** 20;

/** 4 segments of 10 MiB each, all trainable, 8 MiB of tape per row each. */
function profile(): ModelMemoryProfile {
  return {
    segments: ['embeddings', 'trf_blocks.0', 'trf_blocks.1', 'head'].map((name) => ({
      name,
      paramBytes: 10 * MiB,
      trainableBytes: 10 * MiB,
      tapeBytesPerRow: 8 * MiB,
    })),
    seqLen: 16,
    boundaryBytesPerRow: MiB / 4,
    headBytesPerToken: MiB / 16,
    logitsBytesPerToken: MiB / 128,
    kvCacheBytesPerRow: MiB,
  };
}

describe('memory plan', () => {
  it('reads sizes', () => {
    expect(parseByteSize('8MB')).toBe(8 * MiB);
    expect(parseByteSize('3.5 GiB')).toBe(3.5 * 2 ** 30);
    expect(parseByteSize('1024')).toBe(1024);
    expect(() => parseByteSize('lots')).toThrow(/cannot read 'lots'/);
    expect(heapBudget('cpu')).toBe(Infinity);
    expect(heapBudget('tensorflow')).toBe(Infinity);
  });

  it('training: resident in one pass when it fits, else streamed; resident micro-batches when forced', () => {
    const p = profile(); // params 40 + grads 40 MiB; tape 33 MiB per row
    expect(planTraining(p, { batchSize: 4, budgetBytes: Infinity })).toMatchObject({
      mode: 'resident',
      microBatches: 1,
    });
    // 80 + 4*33 = 212 MiB whole does not fit 180 MiB: streamed in one pass rather than two resident ones
    expect(planTraining(p, { batchSize: 4, budgetBytes: 180 * MiB })).toMatchObject({
      mode: 'streamed',
      microBatches: 1,
    });
    // 80 + 2*33 = 146 MiB in two resident passes (+ an eighth of the budget as slack), when asked for
    const two = planTraining(p, { batchSize: 4, budgetBytes: 180 * MiB, microBatches: 2 });
    expect(two).toMatchObject({ mode: 'resident', microBatches: 2, hostSegments: [] });
    // params and gradients alone (80 MiB) do not fit 64 MiB: streamed
    const s = planTraining(p, { batchSize: 4, budgetBytes: 64 * MiB });
    expect(s.mode).toBe('streamed');
    expect(s.recompute).toBe(true);
    expect(s.hostSegments).toHaveLength(4);
    expect(s.estimatedPeakBytes).toBeLessThanOrEqual(64 * MiB);
    expect(s.summary).toMatch(/^train, streamed, 4 of 4 segments in host memory, blocks recomputed/);
    // a forced micro-batch count is kept
    expect(planTraining(p, { batchSize: 4, budgetBytes: Infinity, microBatches: 4 }).microBatches).toBe(4);
    expect(() => planTraining(p, { batchSize: 4, microBatches: 3 })).toThrow(MemoryPlanError);
  });

  it('training: no plan fits -> one line with the sizes', () => {
    expect(() => planTraining(profile(), { batchSize: 2, budgetBytes: 16 * MiB, backend: 'wasm' })).toThrow(
      /^training this model needs ~[\d.]+ MiB of wasm memory even streamed one row per pass; this backend holds 16\.0 MiB/,
    );
  });

  it('refuses a model the host cannot hold, before anything else', () => {
    // 40 MiB of parameters; training keeps gradients and two AdamW moments beside them: 160 MiB
    expect(() => planTraining(profile(), { batchSize: 1, hostBytes: 100 * MiB })).toThrow(
      /^training this model needs ~160\.0 MiB of host memory \(40\.0 MiB of parameters, their gradients and AdamW state\); this machine has 100\.0 MiB/,
    );
    expect(planInference(profile(), { batchSize: 1, hostBytes: 100 * MiB, budgetBytes: Infinity }).mode).toBe(
      'resident',
    );
    expect(() => planInference(profile(), { batchSize: 1, hostBytes: 40 * MiB })).toThrow(
      /^running this model needs/,
    );
  });

  it('inference: all resident, else a resident prefix and the rest streamed', () => {
    const p = profile(); // weights with packed copies: 80 MiB
    expect(planInference(p, { batchSize: 1, budgetBytes: Infinity }).mode).toBe('resident');
    const s = planInference(p, { batchSize: 1, budgetBytes: 96 * MiB });
    expect(s.mode).toBe('streamed');
    expect(s.hostSegments.length).toBeGreaterThan(0);
    expect(s.hostSegments.length).toBeLessThan(4);
    expect(s.hostSegments).toEqual(
      ['embeddings', 'trf_blocks.0', 'trf_blocks.1', 'head'].slice(4 - s.hostSegments.length),
    );
    expect(s.estimatedPeakBytes).toBeLessThanOrEqual(0.75 * 96 * MiB); // resident weights stop at 3/4
    expect(() => planInference(p, { batchSize: 1, budgetBytes: 8 * MiB })).toThrow(MemoryPlanError);
  });
});
