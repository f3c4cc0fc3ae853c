// The environment of the in-process CLI tests: the wasm backend and offline mode, set for one test file
// and put back after it (in CI every test file shares one process).
import { afterAll, beforeAll } from 'vitest';

/** Sets LLMFS_BACKEND=wasm and LLMFS_OFFLINE=1 for the current test file. */
export function useCliEnv(): void {
  const saved = { LLMFS_BACKEND: process.env.LLMFS_BACKEND, LLMFS_OFFLINE: process.env.LLMFS_OFFLINE };
  beforeAll(() => {
    process.env.LLMFS_BACKEND = 'wasm';
    process.env.LLMFS_OFFLINE = '1';
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
}
