// Where optimizer state should live: on backends whose tensors sit in host memory anyway (wasm, whose
// heap is capped at 4 GiB, and cpu), keeping moments in plain Float32Arrays outside the tensor engine
// costs no transfer and frees heap; on GPU and native backends the tensors stay on the device.
import * as tf from '@tensorflow/tfjs';

/** True when the active backend (wasm, cpu) keeps tensors in host memory, so optimizer state is best kept there too. */
export function preferHostOptimizerState(backend: string = tf.getBackend()): boolean {
  return backend === 'wasm' || backend === 'cpu';
}
