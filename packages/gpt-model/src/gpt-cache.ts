// The whole model's KV cache: one KVCache per transformer block.
import { KVCache } from '@llmfs/attention';

/** Per-layer key/value caches of a GPTModel (from `model.createCache()`). */
export class GPTCache {
  readonly layers: KVCache[];

  constructor(nLayers: number) {
    this.layers = Array.from({ length: nLayers }, () => new KVCache());
  }

  /** Number of cached positions. */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** Empties every layer's cache. */
  reset(): void {
    for (const l of this.layers) l.reset();
  }

  /** Frees the cached tensors. */
  dispose(): void {
    this.reset();
  }
}
