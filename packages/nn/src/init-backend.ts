// Backend selection (DESIGN.md "Backends"): auto = tfjs-node-gpu, tfjs-node, then wasm in Node;
// webgpu, webgl, then wasm in a browser. tfjs-node(-gpu) are optional and loaded by dynamic import only.
import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';
import { guardWasmHeap } from './wasm-heap-guard.js';
import { installWasmStderrFilter } from './wasm-stderr.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { initialized, prepareWasmThreads, wasmThreadsWanted } from './wasm-threads.js';

/** Backend names accepted by `initBackend` (and `LLMFS_BACKEND`, `--backend`). */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'webgpu' | 'webgl' | 'cpu';

/** Options of `initBackend`. */
export interface InitBackendOptions {
  /** Where the one "llmfs: using the <x> backend" line goes (default: console.error). */
  log?: (line: string) => void;
}

const BACKENDS: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'webgpu', 'webgl', 'cpu'];
let current: { requested: string; active: string } | undefined;
const logged = new Set<string>();

/** True when running under Node.js (not a browser or worker). */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

function envBackend(): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.LLMFS_BACKEND;
  return v && v.trim() ? v.trim() : undefined;
}

/** Imports a module by a name bundlers and TypeScript do not resolve (optional dependency). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) return true;
    } catch {
      // not installed, or its native binary is missing: try the next one
    }
  }
  return false;
}

async function loadWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  let finish: (() => void) | undefined;
  if (isNode()) {
    // Point the backend at the .wasm files inside the npm package (works offline).
    const { createRequire } = await import('node:module');
    const path = await import('node:path');
    const require = createRequire(import.meta.url);
    const main = require.resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(main) + path.sep);
    // before the module exists: its stderr printer binds at creation
    await installWasmStderrFilter();
    // XNNPACK on every core (env LLMFS_WASM_THREADS=1 keeps the single-threaded build)
    if (!initialized('wasm')) finish = await prepareWasmThreads(wasm, await wasmThreadsWanted());
  }
  registerWasmKernels();
  try {
    const ok = await tf.setBackend('wasm');
    if (ok) guardWasmHeap(tf.backend());
    return ok;
  } finally {
    finish?.();
  }
}

async function loadWebgpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-webgpu');
  return tf.setBackend('webgpu');
}

async function activate(name: Exclude<BackendName, 'auto'>): Promise<boolean> {
  try {
    switch (name) {
      case 'tensorflow':
        return await tryTensorflow();
      case 'wasm':
        return await loadWasm();
      case 'webgpu':
        return await loadWebgpu();
      case 'webgl':
        return isNode() ? false : await tf.setBackend('webgl');
      case 'cpu':
        // PROD silences tfjs's "install tfjs-node" banner; it only disables debug checks.
        tf.env().set('PROD', true);
        return await tf.setBackend('cpu');
    }
  } catch {
    return false;
  }
}

/**
 * Chooses and initialises the TensorFlow.js backend; returns its tfjs name ('wasm', 'tensorflow', ...).
 * `name` undefined -> env `LLMFS_BACKEND` -> 'auto'. Idempotent; logs the chosen backend once.
 */
export async function initBackend(
  name?: BackendName | string,
  opts: InitBackendOptions = {},
): Promise<string> {
  const requested = (name ?? envBackend() ?? 'auto').toLowerCase();
  if (!BACKENDS.includes(requested as BackendName)) {
    throw new BackendError(`unknown backend '${requested}' (expected one of ${BACKENDS.join(', ')})`);
  }
  if (current && current.requested === requested && tf.getBackend() === current.active) return current.active;

  let active: string | undefined;
  if (requested === 'auto') {
    const order: Array<Exclude<BackendName, 'auto'>> = isNode()
      ? ['tensorflow', 'wasm', 'cpu']
      : ['webgpu', 'webgl', 'wasm', 'cpu'];
    for (const b of order) {
      if (await activate(b)) {
        active = tf.getBackend();
        break;
      }
    }
  } else if (await activate(requested as Exclude<BackendName, 'auto'>)) {
    active = tf.getBackend();
  }
  if (!active) {
    const hint =
      requested === 'tensorflow'
        ? ' (install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu)'
        : requested === 'webgl' && isNode()
          ? ' (webgl needs a browser)'
          : '';
    throw new BackendError(`backend '${requested}' could not be initialised${hint}`);
  }
  await tf.ready();
  current = { requested, active };
  if (!logged.has(active)) {
    logged.add(active);
    (opts.log ?? ((l: string) => console.error(l)))(`llmfs: using the ${active} backend`);
  }
  return active;
}
