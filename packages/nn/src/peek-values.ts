// Reading a tensor's values without a device readback. On webgpu, `dataSync` maps a GPU buffer through
// an OffscreenCanvas (missing in Node, slow in browsers), but a tensor made from a JavaScript array keeps
// that array until a kernel first uploads it: checks of input ids can read it for free.
import * as tf from '@tensorflow/tfjs';

interface GpuBackendLike {
  device?: unknown;
  tensorMap?: { get(dataId: object): { values?: tf.TypedArray | null } | undefined };
}

/**
 * The values of `t` when they can be had synchronously without a GPU readback: always on cpu, wasm and
 * tensorflow; on GPU backends only while the data has not been uploaded. Otherwise undefined.
 */
export function peekValues(t: tf.Tensor): tf.TypedArray | undefined {
  const info = (
    tf.engine() as unknown as { state: { tensorInfo: WeakMap<object, { backend: GpuBackendLike }> } }
  ).state.tensorInfo.get(t.dataId);
  const holder = info?.backend;
  if (holder && holder.device !== undefined && holder.tensorMap) {
    return holder.tensorMap.get(t.dataId)?.values ?? undefined;
  }
  return t.dataSync() as tf.TypedArray;
}
