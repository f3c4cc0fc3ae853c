// Test helper: switch tfjs to the cpu or wasm backend (the wasm binaries ship in the npm package).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

/** Makes `name` the active tfjs backend. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(dir + path.sep);
  }
  await tf.setBackend(name);
  await tf.ready();
}

/** The backends every tensor test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
