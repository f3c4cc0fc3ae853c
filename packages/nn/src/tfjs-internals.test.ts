// The tfjs internals llmfs relies on, checked by name in one place. package.json pins @tensorflow/* to
// ~4.22.0; a tfjs upgrade that moves one of these fails here with a message naming it, rather than deep
// inside training with a wrong number or a trap. Users: mat-mul-2d.ts (gradientDepth), wasm-kernels.ts
// (kernel registry), wasm-heap-guard.ts (_malloc), wasm-threads.ts (bundle source, engine registry),
// host-residency.ts and peek-values.ts (engine.moveData, state.tensorInfo, the cpu data store),
// host-views.ts and wasm-kernels.ts (makeOutput, typedArrayFromHeap, makeTensorFromTensorInfo),
// free-gradients-early.ts (state.activeTape and each node's gradient, inputs, saved).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.js';
import { activeTape } from './free-gradients-early.js';
import { isRecordingGradients } from './mat-mul-2d.js';
import { WASM_BUNDLE_REQUIRES, WASM_MAIN_PREFIX, WASM_WORKER_MARK, initialized } from './wasm-threads.js';

const PIN = 'pin @tensorflow/* to ~4.22.0';
type AnyRecord = Record<string, unknown>;
const engine = () => tf.engine() as unknown as AnyRecord & { state: AnyRecord };

describe('tfjs internals (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
  });

  it('runs the tfjs version llmfs is tested with', () => {
    expect(tf.version_core, `@tensorflow/tfjs-core is ${tf.version_core}; ${PIN}`).toMatch(/^4\.22\./);
  });

  it('engine().state.gradientDepth counts the open gradient tapes', () => {
    expect(typeof engine().state.gradientDepth, `engine().state.gradientDepth is missing; ${PIN}`).toBe(
      'number',
    );
    let inside = false;
    tf.grad((x: tf.Tensor) => {
      inside = isRecordingGradients();
      return x.square().sum();
    })(tf.scalar(3)).dispose();
    expect(inside, 'engine().state.gradientDepth stays 0 inside tf.grad').toBe(true);
    expect(isRecordingGradients()).toBe(false);
  });

  it('engine().state.activeTape lists the recorded ops with gradient, inputs and saved tensors', () => {
    expect(activeTape(), 'engine().state.activeTape is set outside tf.grad').toBeUndefined();
    let nodes: ReturnType<typeof activeTape>;
    tf.grad((x: tf.Tensor) => {
      const y = tf.tanh(x);
      nodes = activeTape()?.slice();
      return y.sum();
    })(tf.tensor([1, 2])).dispose();
    expect(nodes, `engine().state.activeTape is missing inside tf.grad; ${PIN}`).toBeDefined();
    const tanh = nodes!.find((n) => (n as unknown as AnyRecord).kernelName === 'Tanh');
    expect(tanh, `the tape has no Tanh node with a kernelName; ${PIN}`).toBeDefined();
    expect(typeof tanh!.gradient, `a tape node's gradient is not a function; ${PIN}`).toBe('function');
    expect(
      Object.values(tanh!.inputs)[0],
      `a tape node's inputs are not named tensors; ${PIN}`,
    ).toBeInstanceOf(tf.Tensor);
    expect(tanh!.saved?.length, `Tanh's tape node saved no tensor (its output); ${PIN}`).toBe(1);
    expect(activeTape()).toBeUndefined();
  });

  it('the kernel registry holds the wasm kernels llmfs replaces', () => {
    for (const f of ['getKernel', 'registerKernel', 'unregisterKernel'] as const)
      expect(typeof tf[f], `tf.${f} is missing; ${PIN}`).toBe('function');
    for (const k of ['Slice', 'SplitV', 'Identity'])
      expect(tf.getKernel(k, 'wasm'), `wasm kernel ${k} is not registered`).toBeDefined();
    expect(typeof tf.slice_util?.parseSliceParams, `tf.slice_util.parseSliceParams is missing; ${PIN}`).toBe(
      'function',
    );
    const registry = engine().registry as AnyRecord | undefined;
    expect(registry?.wasm, `engine().registry.wasm is missing; ${PIN}`).toBeDefined();
    expect(initialized('wasm')).toBe(registry?.wasm);
  });

  it('the wasm backend exposes its module (_malloc, _free, HEAPU8) and heap helpers', () => {
    const backend = initialized('wasm') as AnyRecord & { wasm?: AnyRecord };
    const wasm = backend.wasm;
    expect(wasm, `wasm backend's .wasm module is missing; ${PIN}`).toBeDefined();
    for (const f of ['_malloc', '_free'])
      expect(typeof wasm?.[f], `wasm module ${f} is missing; ${PIN}`).toBe('function');
    expect(wasm?.HEAPU8, 'wasm module HEAPU8 is missing').toBeInstanceOf(Uint8Array);
    for (const f of ['makeOutput', 'typedArrayFromHeap'])
      expect(typeof backend[f], `wasm backend ${f} is missing; ${PIN}`).toBe('function');
    expect(typeof engine().makeTensorFromTensorInfo, 'engine().makeTensorFromTensorInfo is missing').toBe(
      'function',
    );
  });

  it('engine.moveData, state.tensorInfo and the cpu data store (host residency)', () => {
    const eng = engine();
    expect(typeof eng.moveData, `engine().moveData is missing; ${PIN}`).toBe('function');
    expect(typeof eng.makeTensorFromDataId, `engine().makeTensorFromDataId is missing; ${PIN}`).toBe(
      'function',
    );
    expect(eng.state.tensorInfo, `engine().state.tensorInfo is missing; ${PIN}`).toBeInstanceOf(WeakMap);
    const t = tf.tensor([1, 2]);
    const info = (eng.state.tensorInfo as WeakMap<object, { backend: unknown }>).get(t.dataId);
    expect(info?.backend, 'engine().state.tensorInfo does not name the backend of a tensor').toBe(
      initialized('wasm'),
    );
    t.dispose();
    const cpu = (eng.findBackend as (n: string) => { data?: { get?: unknown } } | null).call(eng, 'cpu');
    expect(typeof cpu?.data?.get, `the cpu backend's data store is missing; ${PIN}`).toBe('function');
  });

  it('the wasm bundle source has the pieces the Node threads patch looks for', () => {
    const require = createRequire(import.meta.url);
    const bundle = fs.readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
    expect(bundle.includes(WASM_MAIN_PREFIX), `wasm bundle lacks '${WASM_MAIN_PREFIX}'; ${PIN}`).toBe(true);
    expect(bundle.includes(WASM_WORKER_MARK), `wasm bundle lacks '${WASM_WORKER_MARK}'; ${PIN}`).toBe(true);
    expect(
      [...bundle.matchAll(WASM_BUNDLE_REQUIRES)].length,
      'wasm bundle has no require$$N lines',
    ).toBeGreaterThan(0);
  });
});
