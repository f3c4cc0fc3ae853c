// The heap guard: when the wasm module's malloc returns 0 (heap full), the allocation throws a
// BackendError naming the size instead of handing tfjs address 0; other allocations pass through.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from './index.js';
import { guardWasmHeap } from './wasm-heap-guard.js';

/** A module like Emscripten's: `_malloc` starts as a stub that replaces itself with the raw export. */
function fakeBackend(free: number) {
  let next = 1024;
  const raw = (bytes: number): number => {
    if (bytes > free) return 0;
    free -= bytes;
    const at = next;
    next += bytes;
    return at;
  };
  const wasm = {
    HEAPU8: new Uint8Array(16 * 2 ** 20),
    _malloc(bytes: number): number {
      wasm._malloc = raw;
      return raw(bytes);
    },
    _free(_at: number): void {},
  };
  return { wasm };
}

describe('wasm heap guard', () => {
  it('throws a BackendError when malloc returns 0, and passes other allocations through', () => {
    const backend = fakeBackend(3 * 2 ** 20);
    guardWasmHeap(backend);
    guardWasmHeap(backend); // idempotent: wrapped once
    expect(backend.wasm._malloc(2 ** 20)).toBe(1024 + 8); // after the guard's own 8-byte first call
    expect(backend.wasm._malloc(16)).toBe(1024 + 8 + 2 ** 20);
    expect(() => backend.wasm._malloc(5 * 2 ** 20)).toThrow(BackendError);
    expect(() => backend.wasm._malloc(5 * 2 ** 20)).toThrow(/wasm heap exhausted: cannot allocate 5\.0 MiB/);
  });

  it('throws when the allocator hands out a block that runs past the end of the heap', () => {
    const heap = new Uint8Array(2 ** 20);
    const wasm = {
      HEAPU8: heap,
      _malloc: (bytes: number) => (bytes === 8 ? 64 : heap.length - 4096), // the bogus block near the end
      _free(_at: number): void {},
    };
    guardWasmHeap({ wasm });
    expect(() => wasm._malloc(8192)).toThrow(/wasm heap exhausted: cannot allocate/);
    expect(wasm._malloc(4096)).toBe(heap.length - 4096); // exactly to the end is fine
  });

  it('is installed on the wasm backend by initBackend', async () => {
    await initBackend('wasm', { log: () => {} });
    expect((tf.backend() as unknown as { wasm: { llmfsHeapGuard?: boolean } }).wasm.llmfsHeapGuard).toBe(
      true,
    );
  });
});
