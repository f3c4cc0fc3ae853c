// Test helper: starts the cpu or wasm backend the way llmfs does (nn's initBackend: on wasm, llmfs's
// kernels, threads and heap guard), quietly.
import { initBackend } from '@llmfs/nn';

/** Makes `name` the active tfjs backend. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  await initBackend(name, { log: () => undefined });
}

/** The backends every tensor test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
