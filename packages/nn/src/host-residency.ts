// Host-resident tensors: a model's home is host memory, the backend's own memory (wasm's 4 GiB heap) is
// only a working set. A tensor "on the host" keeps its data in tfjs's cpu backend, i.e. a plain
// Float32Array in JavaScript memory, while the active backend (wasm) computes. `leaseOnDevice` copies a
// group of host tensors into the active backend for one piece of work (one transformer block, say) and
// `release` gives the device memory back; the host arrays are kept meanwhile, so a tensor whose data did
// not change goes back without a copy. This is ZeRO-Offload's parameter placement, reduced to one machine.
//
// It uses two tfjs-core internals (pinned in package.json, checked by host-residency.test.ts): the
// engine's per-dataId `tensorInfo` record of which backend holds a tensor, and `moveData`, which tfjs
// itself calls when a kernel touches a tensor held by another backend.
import * as tf from '@tensorflow/tfjs';
import { NNError } from './errors.js';

interface BackendLike {
  move(dataId: object, values: Float32Array, shape: number[], dtype: tf.DataType, refCount: number): void;
  disposeData(dataId: object, force?: boolean): boolean;
  refCount(dataId: object): number;
}
interface CpuBackendLike extends BackendLike {
  data: { get(dataId: object): { values: Float32Array } | undefined; has(dataId: object): boolean };
}
interface EngineInternals {
  state: { tensorInfo: WeakMap<object, { backend: BackendLike; shape: number[]; dtype: tf.DataType }> };
  moveData(backend: BackendLike, dataId: object): void;
  findBackend(name: string): BackendLike | null;
  makeTensorFromDataId(dataId: object, shape: number[], dtype: tf.DataType, backend: BackendLike): tf.Tensor;
  backend: BackendLike;
}

function engine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/** tfjs's cpu backend, used as the host store (its tensors are plain typed arrays). */
function hostBackend(): CpuBackendLike {
  const b = engine().findBackend('cpu');
  if (!b) throw new NNError('host residency needs the cpu backend registered (import @tensorflow/tfjs)');
  return b as CpuBackendLike;
}

/** True when host residency means something: the active backend is not the host store itself. */
export function hostResidencyAvailable(): boolean {
  return tf.getBackend() !== 'cpu' && engine().findBackend('cpu') !== null;
}

function infoOf(t: tf.Tensor) {
  const info = engine().state.tensorInfo.get(t.dataId);
  if (!info) throw new NNError(`tensor ${t.id} is disposed`);
  return info;
}

/** True when `t`'s data lives in host memory while another backend computes. */
export function isOnHost(t: tf.Tensor): boolean {
  if (t.isDisposed || tf.getBackend() === 'cpu') return false;
  return infoOf(t).backend === (hostBackend() as unknown);
}

/** Moves tensors (parameters, say) into host memory; the active backend's copy is freed. */
export function moveToHost(tensors: Iterable<tf.Tensor>): void {
  if (!hostResidencyAvailable()) return;
  const host = hostBackend();
  for (const t of tensors) if (!isOnHost(t)) engine().moveData(host, t.dataId);
}

/** Moves host-resident tensors onto the active backend for good (a plan that keeps them resident). */
export function moveToDevice(tensors: Iterable<tf.Tensor>): void {
  if (!hostResidencyAvailable()) return;
  for (const t of tensors) if (isOnHost(t)) engine().moveData(engine().backend, t.dataId);
}

/** A new float32 tensor whose data is `values` itself, held in host memory (no copy, no device memory). */
export function hostTensor(values: Float32Array, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n)
    throw new NNError(`hostTensor: ${values.length} values do not fill shape [${shape.join(',')}]`);
  if (!hostResidencyAvailable()) return tf.tensor(values, shape, 'float32');
  const host = hostBackend();
  const dataId = {};
  host.move(dataId, values, shape, 'float32', 1);
  return engine().makeTensorFromDataId(dataId, shape, 'float32', host);
}

/**
 * The host array behind a host-resident float32 tensor (no copy). Writing it changes the tensor;
 * callers that write must own the tensor's data alone.
 */
export function hostValues(t: tf.Tensor): Float32Array {
  if (!isOnHost(t)) throw new NNError(`hostValues: tensor ${t.id} is not in host memory`);
  const rec = hostBackend().data.get(t.dataId);
  if (!rec || !(rec.values instanceof Float32Array))
    throw new NNError(`hostValues: tensor ${t.id} has no float32 host data`);
  return rec.values;
}

/** Tensors copied onto the active backend for one piece of work; `release()` gives the memory back. */
export interface DeviceLease {
  /** Frees the device copies. Unchanged tensors go back to their host arrays without a copy; tensors
   *  given new data meanwhile (a variable's assign) have that data copied out to the host. */
  release(): void;
}

/**
 * Copies the host-resident tensors among `tensors` onto the active backend (others are left alone) and
 * returns the lease that puts them back. A no-op where the active backend is the host store.
 */
export function leaseOnDevice(tensors: tf.Tensor[]): DeviceLease {
  if (!hostResidencyAvailable()) return { release: () => {} };
  const eng = engine();
  const host = hostBackend();
  const device = eng.backend;
  const leased: Array<{ t: tf.Tensor; dataId: object; values: Float32Array }> = [];
  const moved = new Set<object>();
  const fromHost = tensors.filter((t) => isOnHost(t));
  try {
    for (const t of fromHost) {
      if (moved.has(t.dataId)) continue;
      const info = infoOf(t);
      const values = hostValues(t);
      const refCount = host.refCount(t.dataId);
      device.move(t.dataId, values, info.shape, info.dtype, refCount); // allocates and copies into the device
      host.disposeData(t.dataId, true);
      info.backend = device;
      moved.add(t.dataId);
      leased.push({ t, dataId: t.dataId, values });
    }
  } catch (err) {
    putBack(leased, eng, host);
    throw err;
  }
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      putBack(leased, eng, host);
      // tensors that got new device data during the lease (an assign) are copied out
      for (const t of fromHost) if (!t.isDisposed && !isOnHost(t)) eng.moveData(host, t.dataId);
    },
  };
}

function putBack(
  leased: Array<{ dataId: object; values: Float32Array }>,
  eng: EngineInternals,
  host: CpuBackendLike,
): void {
  for (const { dataId, values } of leased) {
    const info = eng.state.tensorInfo.get(dataId);
    if (!info || info.backend === (host as unknown)) continue; // disposed meanwhile, or already back
    const device = info.backend;
    const refCount = device.refCount(dataId);
    device.disposeData(dataId, true); // frees the device copy (and XNNPACK's packed copy keyed by it)
    host.move(dataId, values, info.shape, info.dtype, refCount);
    info.backend = host;
  }
}

/** Runs `fn` with `tensors` on the device, then releases them (also when `fn` throws). */
export function withDeviceLease<T>(tensors: tf.Tensor[], fn: () => T): T {
  const lease = leaseOnDevice(tensors);
  try {
    return fn();
  } finally {
    lease.release();
  }
}

/**
 * The host array of a host-resident tensor that no other tensor shares, for writing in place (the
 * optimizer's update, a weight load); undefined otherwise. tfjs's `assign` would move such a variable
 * onto the device, so host-resident parameters are written here instead.
 */
export function writableHostValues(t: tf.Tensor): Float32Array | undefined {
  if (!isOnHost(t) || t.dtype !== 'float32') return undefined;
  if (hostBackend().refCount(t.dataId) !== 1) return undefined;
  epoch++; // the caller may write: copies made from host arrays (vocab shards) are stale from now on
  return hostValues(t);
}

let epoch = 0;

/** A counter bumped whenever a host array is handed out for writing (invalidates copies made from one). */
export function hostWriteEpoch(): number {
  return epoch;
}

/** Sets a float32 variable's values: in place when it lives in host memory, else through `assign`. */
export function assignValues(v: tf.Variable, values: Float32Array): void {
  if (values.length !== v.size)
    throw new NNError(`assignValues: ${values.length} values for '${v.name}' of size ${v.size}`);
  const host = writableHostValues(v);
  if (host) {
    host.set(values);
    return;
  }
  const onHost = isOnHost(v);
  const t = tf.tensor(values, v.shape, 'float32');
  v.assign(t);
  t.dispose();
  if (onHost) moveToHost([v]);
}
