// tf.setBackend answers false when a backend's factory fails, and tfjs only warns the reason (a stack, and
// nothing at all under PROD). This keeps the reason, so that initBackend can say in one line why the
// backend the user named did not start.
import * as tf from '@tensorflow/tfjs';
import { BackendError } from './errors.js';
import { initialized } from './wasm-threads.js';

interface RegistryFactory {
  registryFactory: Record<string, { factory: () => unknown } | undefined>;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/**
 * `tf.setBackend(name)`; throws a BackendError with the factory's own error when it answers false, after
 * switching back to the backend that was active (tfjs leaves the failed one selected, with no instance).
 */
export async function setBackendOrThrow(name: string): Promise<true> {
  const previous = tf.getBackend();
  const entry = (tf.engine() as unknown as RegistryFactory).registryFactory[name];
  let reason: unknown;
  const factory = entry?.factory;
  if (entry && factory) {
    entry.factory = () => {
      try {
        const b = factory();
        // async factories (wasm, webgpu) reject instead of throwing
        const p = b as { then?: unknown; catch?: (f: (e: unknown) => never) => unknown };
        return typeof p?.then === 'function' && typeof p.catch === 'function'
          ? p.catch((e) => {
              reason = e;
              throw e;
            })
          : b;
      } catch (e) {
        reason = e;
        throw e;
      }
    };
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } finally {
    if (entry && factory) entry.factory = factory;
  }
  if (ok) return true;
  if (previous && previous !== name && initialized(previous)) await tf.setBackend(previous);
  throw new BackendError(
    reason === undefined ? `tfjs could not initialise the ${name} backend` : firstLine(reason),
  );
}
