// Helpers that keep tensors from leaking: dispose nested containers, and check counts around a block.
import * as tf from '@tensorflow/tfjs';

/** Disposes every tensor found in a value (tensor, array, Map, or plain object), recursively. */
export function disposeTensors(value: unknown): void {
  if (value instanceof tf.Tensor) value.dispose();
  else if (Array.isArray(value)) for (const v of value) disposeTensors(v);
  else if (value instanceof Map) for (const v of value.values()) disposeTensors(v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) disposeTensors(v);
}

/** Runs an async block and returns its result with the number of tensors it left behind. */
export async function countNewTensors<T>(fn: () => Promise<T> | T): Promise<{ result: T; leaked: number }> {
  const before = tf.memory().numTensors;
  const result = await fn();
  return { result, leaked: tf.memory().numTensors - before };
}
