// Backend selection (docs/design.md "Backends"): auto = tfjs-node-gpu, tfjs-node, webgpu on a hardware
// adapter (Dawn, the optional `webgpu` package), then wasm in Node; webgpu, webgl, then wasm in a browser.
// tfjs-node(-gpu) and Dawn are optional and loaded by dynamic import only.
import * as tf from '@tensorflow/tfjs';
import { lowerBindingLimit, setWebgpuAdapterName } from './binding-limit.js';
import { BackendError } from './errors.js';
import { setBackendOrThrow } from './set-backend-or-throw.js';
import { registerDawnWebgpu, releaseDawn } from './webgpu-node.js';
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
  /**
   * webgpu: plan for a maxStorageBufferBindingSize this low (bytes) instead of the device's own, as on a
   * smaller adapter (tests; default env LLMFS_WEBGPU_MAX_BINDING, else the device's limit).
   */
  maxBindingBytes?: number;
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

function envNumber(name: string): number | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = Number(p?.env?.[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Imports a module by a name bundlers and TypeScript do not resolve (optional dependency). */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

async function tryTensorflow(): Promise<boolean> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      if (tf.findBackend('tensorflow') && (await setBackendOrThrow('tensorflow'))) return true;
      reasons.push(`${pkg}: did not register the backend`);
    } catch (err) {
      // not installed, or its native binary is missing: try the next one
      reasons.push(`${pkg}: ${firstLine(err)}`);
    }
  }
  throw new BackendError(reasons.join('; '));
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
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
    const ok = await setBackendOrThrow('wasm');
    guardWasmHeap(tf.backend());
    return ok;
  } finally {
    finish?.();
  }
}

let adapterLabel = '';

/** `allowSoftware`: a software adapter (Mesa, SwiftShader) only when webgpu is asked for by name. */
async function loadWebgpu(allowSoftware: boolean): Promise<boolean> {
  if (isNode()) {
    const choice = await registerDawnWebgpu(allowSoftware);
    adapterLabel = choice.name;
  } else {
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  try {
    return await setBackendOrThrow('webgpu');
  } catch (err) {
    releaseDawn();
    throw new BackendError(`the adapter ${adapterLabel || ''} did not start: ${firstLine(err)}`);
  }
}

type Attempt = Exclude<BackendName, 'auto'> | 'webgpu-hardware';

/**
 * Activates one backend; false with the reason recorded in `why` when it cannot. Under 'auto' the reasons
 * stay quiet while another backend starts; a backend asked for by name reports its reason in one line.
 */
async function activate(name: Attempt, why: string[]): Promise<boolean> {
  try {
    switch (name) {
      case 'tensorflow':
        return await tryTensorflow();
      case 'wasm':
        return await loadWasm();
      case 'webgpu':
        return await loadWebgpu(true);
      case 'webgpu-hardware':
        return await loadWebgpu(false);
      case 'webgl':
        if (isNode()) throw new BackendError('webgl needs a browser');
        return await setBackendOrThrow('webgl');
      case 'cpu':
        // PROD silences tfjs's "install tfjs-node" banner; it only disables debug checks.
        tf.env().set('PROD', true);
        return await setBackendOrThrow('cpu');
    }
  } catch (err) {
    why.push(`${name}: ${firstLine(err)}`);
    return false;
  }
}

/**
 * Lets Node exit after a webgpu run: removes the backend and drops the Dawn instance (which keeps the
 * process alive while referenced). Other backends: nothing to do.
 */
export function releaseBackend(): void {
  if (current?.active === 'webgpu') current = undefined;
  releaseDawn();
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
  const why: string[] = [];
  if (requested === 'auto') {
    const order: Attempt[] = isNode()
      ? ['tensorflow', 'webgpu-hardware', 'wasm', 'cpu']
      : ['webgpu', 'webgl', 'wasm', 'cpu'];
    for (const b of order) {
      if (await activate(b, why)) {
        active = tf.getBackend();
        break;
      }
    }
  } else if (await activate(requested as Exclude<BackendName, 'auto'>, why)) {
    active = tf.getBackend();
  }
  if (!active) {
    const hint =
      requested === 'tensorflow'
        ? ' (install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu)'
        : requested === 'webgpu' && isNode()
          ? ' (install the optional webgpu package; with no GPU on Linux, Mesa: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)'
          : '';
    const reason = why.length ? `: ${why.join('; ')}` : '';
    throw new BackendError(`backend '${requested}' could not be initialised${reason}${hint}`);
  }
  await tf.ready();
  if (active === 'webgpu') {
    // tfjs runs small ops on the CPU while their inputs have not been uploaded yet: results would then
    // depend on where a tensor happens to live (a resumed run's fresh parameters), not on the values
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    const env = envNumber('LLMFS_WEBGPU_MAX_BINDING');
    lowerBindingLimit(opts.maxBindingBytes ?? env);
    setWebgpuAdapterName(adapterLabel);
  }
  current = { requested, active };
  const line =
    active === 'webgpu' && adapterLabel ? `${active} backend (${adapterLabel})` : `${active} backend`;
  if (!logged.has(line)) {
    logged.add(line);
    (opts.log ?? ((l: string) => console.error(l)))(`llmfs: using the ${line}`);
  }
  return active;
}
