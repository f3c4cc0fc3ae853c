// preferHostOptimizerState: host memory for wasm and cpu, device memory elsewhere.
import { describe, expect, it } from 'vitest';
import { preferHostOptimizerState } from './index.js';

describe('preferHostOptimizerState', () => {
  it('is true for wasm and cpu, false for GPU and native backends', () => {
    expect(preferHostOptimizerState('wasm')).toBe(true);
    expect(preferHostOptimizerState('cpu')).toBe(true);
    for (const b of ['webgpu', 'webgl', 'tensorflow']) expect(preferHostOptimizerState(b)).toBe(false);
  });
});
