// wasm's heap is capped at 4 GiB. When it is full, tfjs-backend-wasm 4.22 takes the 0 that malloc returns
// as the new tensor's address and writes there, over the module's own data: results go silently wrong,
// or a later kernel traps with "memory access out of bounds". This turns that into a clear error.
import { BackendError } from './errors.js';

interface WasmModuleLike {
  _malloc(bytes: number): number;
  _free(at: number): void;
  HEAPU8: Uint8Array;
  llmfsHeapGuard?: boolean;
}

/** Makes the wasm backend's allocations throw a BackendError instead of returning address 0. */
export function guardWasmHeap(backend: unknown): void {
  const wasm = (backend as { wasm?: WasmModuleLike }).wasm;
  if (!wasm || wasm.llmfsHeapGuard) return;
  // Emscripten's `_malloc` starts as a stub that, on its first call, replaces Module._malloc with the
  // raw export: a wrapper installed before that call would be dropped after one allocation. Call it once
  // first, then wrap what it left.
  wasm._free(wasm._malloc(8));
  const malloc = wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number) => {
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) {
      const heap = (wasm.HEAPU8.length / 2 ** 30).toFixed(2);
      throw new BackendError(
        `wasm heap exhausted: cannot allocate ${(bytes / 2 ** 20).toFixed(1)} MiB in a ${heap} GiB heap (at most 4 GiB); use smaller batches or --micro-batches`,
      );
    }
    return at;
  };
  wasm.llmfsHeapGuard = true;
}
