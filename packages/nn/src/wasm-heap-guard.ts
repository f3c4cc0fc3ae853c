// wasm's heap is capped at 4 GiB. When it is full, tfjs-backend-wasm 4.22 takes the 0 that malloc returns
// as the new tensor's address and writes there, over the module's own data: results go silently wrong,
// or a later kernel traps with "memory access out of bounds". This turns that into a clear error.
import { BackendError } from './errors.js';

interface WasmModuleLike {
  _malloc(bytes: number): number;
  _free(at: number): void;
  wasmMemory?: WebAssembly.Memory;
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
    refreshViews(wasm);
    // Near the 4 GiB edge the allocator can hand out a block that runs past the end of the heap (seen:
    // 321 MB at 4,048,655,648 in a 4,294,901,760-byte heap): as unusable as a 0.
    if ((at === 0 || (at >>> 0) + bytes > wasm.HEAPU8.length) && bytes > 0) {
      const heap = (wasm.HEAPU8.length / 2 ** 30).toFixed(2);
      throw new BackendError(
        `wasm heap exhausted: cannot allocate ${(bytes / 2 ** 20).toFixed(1)} MiB in a ${heap} GiB heap (at most 4 GiB); use smaller batches or --micro-batches`,
      );
    }
    return at;
  };
  wasm.llmfsHeapGuard = true;
}

const VIEWS = {
  HEAP8: Int8Array,
  HEAP16: Int16Array,
  HEAP32: Int32Array,
  HEAPU8: Uint8Array,
  HEAPU16: Uint16Array,
  HEAPU32: Uint32Array,
  HEAPF32: Float32Array,
  HEAPF64: Float64Array,
} as const;

/**
 * In the threaded build the heap can grow on another thread, and the module's views (which tfjs reads
 * as `wasm.HEAPU8`) then still cover the old size: the next copy into a new tensor failed with "offset is
 * out of bounds" (GPT-2 xl). Views are rebuilt over the memory's current buffer when its size changed.
 */
function refreshViews(wasm: WasmModuleLike): void {
  const buffer = wasm.wasmMemory?.buffer;
  if (!buffer || buffer.byteLength === wasm.HEAPU8.length) return;
  const m = wasm as unknown as Record<string, unknown>;
  for (const [name, View] of Object.entries(VIEWS)) m[name] = new View(buffer);
}
