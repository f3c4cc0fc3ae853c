// Adapter naming and the software check that keeps `auto` off Mesa/SwiftShader, and the vocabulary
// shard bounds (every shard within the binding limit, covering the vocabulary once).
import { describe, expect, it } from 'vitest';
import { BindingLimitError } from './binding-limit.js';
import { shardBounds } from './vocab-shards.js';
import { adapterName, isSoftwareAdapter } from './webgpu-node.js';

describe('webgpu adapters', () => {
  it('names the adapter from its non-empty, distinct fields', () => {
    const info = {
      vendor: '',
      architecture: '',
      device: 'llvmpipe-llvm-15',
      description: 'OpenGL ES 3.2 Mesa',
    };
    expect(adapterName(info)).toBe('llvmpipe-llvm-15, OpenGL ES 3.2 Mesa');
    expect(adapterName({ vendor: 'nvidia', architecture: 'hopper', device: '', description: '' })).toBe(
      'nvidia, hopper',
    );
    expect(adapterName(undefined)).toBe('unnamed adapter');
  });

  it('treats llvmpipe, SwiftShader, lavapipe and fallback adapters as software, real GPUs not', () => {
    for (const device of ['llvmpipe (LLVM 15.0.6, 256 bits)', 'SwiftShader Device (Subzero)', 'lavapipe'])
      expect(isSoftwareAdapter({ info: { device } })).toBe(true);
    expect(isSoftwareAdapter({ info: { device: 'Apple M2' }, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', device: 'NVIDIA H100' } })).toBe(false);
  });
});

describe('shardBounds', () => {
  it("cuts GPT-2's token embedding into equal shards under 128 MiB and 16 MiB", () => {
    for (const limit of [128 * 2 ** 20, 16 * 2 ** 20]) {
      const b = shardBounds(50257, 768 * 4, limit, 'wte');
      expect(b[0]).toBe(0);
      expect(b[b.length - 1]).toBe(50257);
      for (let j = 1; j < b.length; j++) {
        expect(b[j]).toBeGreaterThan(b[j - 1]);
        expect((b[j] - b[j - 1]) * 768 * 4).toBeLessThanOrEqual(limit);
      }
    }
    expect(shardBounds(50257, 768 * 4, 128 * 2 ** 20, 'wte')).toEqual([0, 25129, 50257]);
  });

  it('refuses a single slice over the limit', () => {
    expect(() => shardBounds(10, 4096, 1024, 'a weight')).toThrow(BindingLimitError);
  });
});
