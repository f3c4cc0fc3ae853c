// Backend start-up in the compute worker: tfjs-backend-wasm is pointed at the .wasm files this site
// serves (no CDN), the other backends are probed so the page can show what this browser offers, and
// the WebGPU adapter's maxStorageBufferBindingSize is read (docs/platform-notes.md: a binding over the limit
// silently reads as zeros): @llmfs/nn splits the token embedding and the head to fit it, and the page
// refuses any other tensor over it.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { bindingLimit, initBackend } from '@llmfs/nn';
import type { BackendInfo } from './protocol.js';

/** 'gpu', 'software' (a CPU renderer such as SwiftShader or llvmpipe: far slower than wasm) or 'none'. */
type Probe = 'gpu' | 'software' | 'none';
const SOFTWARE = /swiftshader|llvmpipe|softpipe|lavapipe|software/i;

async function probeWebgpu(): Promise<Probe> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<any> } }).gpu;
  if (!gpu) return 'none';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'none';
    const info = adapter.info ?? {};
    const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
    return adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE.test(text) ? 'software' : 'gpu';
  } catch {
    return 'none';
  }
}

function probeWebgl(): Probe {
  try {
    if (typeof OffscreenCanvas === 'undefined') return 'none';
    const gl = (new OffscreenCanvas(1, 1).getContext('webgl2') ??
      new OffscreenCanvas(1, 1).getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return 'none';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    return SOFTWARE.test(renderer) ? 'software' : 'gpu';
  } catch {
    return 'none';
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
  const limit = bindingLimit(); // nn's: the device's, or the lowered one (what its shards are cut to)
  return Number.isFinite(limit) ? limit : lowered;
}

/** Starts tfjs on `requested` ('auto' = webgpu, webgl, wasm) and reports what is available. */
export async function setupBackend(
  requested: string,
  base: string,
  log: (line: string) => void,
): Promise<BackendInfo> {
  setWasmPaths(new URL('tfjs-wasm/', base).href);
  const probes: Record<string, Probe> = {
    webgpu: await probeWebgpu(),
    webgl: probeWebgl(),
    wasm: typeof WebAssembly === 'object' ? 'gpu' : 'none',
  };
  const available: Record<string, boolean> = Object.fromEntries(
    Object.entries(probes).map(([k, v]) => [k, v !== 'none']),
  );
  // 'auto' = the first of webgpu, webgl, wasm that this browser has on a real GPU (nn's order); a
  // software renderer (SwiftShader, llvmpipe) is 20-50x slower than wasm, so auto passes it over.
  // Picking it explicitly still works.
  const first = ['webgpu', 'webgl', 'wasm'].find((b) => probes[b] === 'gpu');
  const active = await initBackend(requested === 'auto' && first ? first : requested, {
    log,
    maxBindingBytes: lowered,
  });
  const software = Object.keys(probes).filter((k) => probes[k] === 'software');
  return { requested, active, available, software, maxStorageBufferBindingSize: webgpuBindingLimit() };
}
