// The largest buffer one WebGPU kernel may bind (the device's maxStorageBufferBindingSize). Over it,
// Dawn and browsers skip the dispatch with a validation warning and tfjs reads zeros, no exception
// (docs/platform-notes.md), so nn splits what would exceed it (vocab-shards.ts) and refuses what it cannot.
import * as tf from '@tensorflow/tfjs';
import { NNError } from './errors.js';

/** A tensor that would be bound whole over the WebGPU binding limit (it would read as zeros). */
export class BindingLimitError extends NNError {}

let lowered: number | undefined;
let adapter = '';

/**
 * Lowers the binding limit nn plans for (never raises it above the device's): simulates a small
 * adapter, as tests and the demo's `?maxBinding=` do. `undefined` restores the device's own limit.
 */
export function lowerBindingLimit(bytes: number | undefined): void {
  if (bytes !== undefined && !(Number.isFinite(bytes) && bytes > 0))
    throw new NNError(`lowerBindingLimit: ${bytes} is not a positive number of bytes`);
  lowered = bytes;
}

/** Records the adapter name the webgpu backend runs on (for error messages). */
export function setWebgpuAdapterName(name: string): void {
  adapter = name;
}

/** The adapter name of the webgpu backend ('' when unknown). */
export function webgpuAdapterName(): string {
  return adapter;
}

/** Bytes one kernel may bind on the active backend: the WebGPU device's limit (or lower), else Infinity. */
export function bindingLimit(): number {
  if (tf.getBackend() !== 'webgpu') return Infinity;
  const device = (
    tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }
  ).device;
  const real = device?.limits?.maxStorageBufferBindingSize ?? Infinity;
  return Math.min(real, lowered ?? Infinity);
}

/** Throws BindingLimitError when `bytes` of `what` would exceed the binding limit. */
export function assertWithinBindingLimit(what: string, bytes: number): void {
  const limit = bindingLimit();
  if (bytes <= limit) return;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const on = adapter ? ` (${adapter})` : '';
  throw new BindingLimitError(
    `${what} is ${mib(bytes)}, over the webgpu backend's maxStorageBufferBindingSize of ${mib(limit)}${on}: it would read as zeros`,
  );
}

/**
 * How many rows of `rowBytes` one binding holds (at least 1; Infinity off webgpu): the row chunk of
 * logits [rows, vocab] and their cross-entropy. `rowBytes` should include any padding the kernels add.
 */
export function logitRowsPerChunk(rowBytes: number): number {
  const limit = bindingLimit();
  if (!Number.isFinite(limit)) return Infinity;
  const rows = Math.floor(limit / rowBytes);
  if (rows < 1)
    throw new BindingLimitError(
      `one row of logits is ${rowBytes} bytes, over the webgpu binding limit of ${limit} bytes`,
    );
  return rows;
}
