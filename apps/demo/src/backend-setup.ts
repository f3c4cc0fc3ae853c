// Backend start-up in the compute worker: tfjs-backend-wasm is pointed at the .wasm files this site
// serves (no CDN), the other backends are probed so the page can show what this browser offers, and
// the WebGPU adapter's maxStorageBufferBindingSize is read so big tensors fail loudly (PLATFORM-NOTES:
// a binding over the limit silently reads as zeros).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@llmfs/nn';
import type { BackendInfo } from './protocol.js';

async function hasWebgpu(): Promise<boolean> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

function hasWebgl(): boolean {
  try {
    if (typeof OffscreenCanvas === 'undefined') return false;
    const c = new OffscreenCanvas(1, 1);
    return !!(c.getContext('webgl2') ?? c.getContext('webgl'));
  } catch {
    return false;
  }
}

let lowered: number | undefined;

/** Lowers the binding limit the demo enforces (never raises it): `?maxBinding=BYTES` simulates a small adapter. */
export function lowerBindingLimit(bytes: number | undefined): void {
  lowered = bytes && bytes > 0 ? bytes : undefined;
}

/** The WebGPU device's maxStorageBufferBindingSize (or the lowered one), when tfjs runs on WebGPU. */
export function webgpuBindingLimit(): number | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const device = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device;
  const real = device?.limits?.maxStorageBufferBindingSize;
  return real === undefined ? lowered : lowered === undefined ? real : Math.min(real, lowered);
}

/** Starts tfjs on `requested` ('auto' = webgpu, webgl, wasm) and reports what is available. */
export async function setupBackend(requested: string, base: string, log: (line: string) => void): Promise<BackendInfo> {
  setWasmPaths(new URL('tfjs-wasm/', base).href);
  const available: Record<string, boolean> = {
    webgpu: await hasWebgpu(),
    webgl: hasWebgl(),
    wasm: typeof WebAssembly === 'object',
  };
  // 'auto' = the first of webgpu, webgl, wasm that this browser has (nn's order), without the noisy
  // failed start-up of a backend the probe already ruled out.
  const first = ['webgpu', 'webgl', 'wasm'].find((b) => available[b]);
  const active = await initBackend(requested === 'auto' && first ? first : requested, { log });
  return { requested, active, available, maxStorageBufferBindingSize: webgpuBindingLimit() };
}
