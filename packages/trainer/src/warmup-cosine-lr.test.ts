import { describe, expect, it } from 'vitest';
import { warmupCosineLr } from './warmup-cosine-lr.js';

// Appendix D: initial_lr = min_lr = 1e-5, peak 1e-3, warmup 20 of 100 steps.
const o = { peakLr: 1e-3, initialLr: 1e-5, minLr: 1e-5, warmupSteps: 20, totalSteps: 100 };

describe('warmupCosineLr', () => {
  it('warms up linearly from initialLr (step 0) towards peakLr', () => {
    expect(warmupCosineLr(0, o)).toBeCloseTo(1e-5, 12);
    // 1e-5 + 10 * (1e-3 - 1e-5) / 20 = 5.05e-4
    expect(warmupCosineLr(10, o)).toBeCloseTo(5.05e-4, 12);
    expect(warmupCosineLr(19, o)).toBeCloseTo(1e-5 + 19 * 4.95e-5, 12);
  });
  it('decays with a half cosine from peakLr at warmup to minLr at totalSteps', () => {
    expect(warmupCosineLr(20, o)).toBeCloseTo(1e-3, 12);
    // halfway: min + (peak - min) / 2 = 5.05e-4
    expect(warmupCosineLr(60, o)).toBeCloseTo(5.05e-4, 12);
    // a quarter: min + (peak - min) * 0.5 * (1 + cos(pi/4)) = 1e-5 + 9.9e-4 * 0.853553390593
    expect(warmupCosineLr(40, o)).toBeCloseTo(1e-5 + 9.9e-4 * 0.853553390593, 12);
    expect(warmupCosineLr(100, o)).toBeCloseTo(1e-5, 12);
  });
  it('has no warmup phase when warmupSteps is 0', () => {
    expect(warmupCosineLr(0, { ...o, warmupSteps: 0 })).toBeCloseTo(1e-3, 12);
  });
});
