// wasm's heap, filled for real (in a child process: a backend's heap never shrinks): a tensor that does
// not fit throws BackendError instead of being written at address 0, the backend works again once memory
// is freed, and XNNPACK's "not successful" line becomes a BackendError from checkWasmHealth instead of a
// stderr line followed by a wrong result.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'test',
  'heap-exhaustion-child.ts',
);

describe('wasm heap exhaustion', () => {
  it('gives typed errors, keeps XNNPACK lines off stderr, and recovers once memory is freed', () => {
    const r = spawnSync(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', child], {
      encoding: 'utf8',
      env: { ...process.env, LLMFS_WASM_THREADS: '1' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.mallocError).toMatch(/^BackendError: wasm heap exhausted: cannot allocate/);
    expect(out.filledGiB).toBeGreaterThan(3.5); // the 4 GiB heap was really full
    expect(out.ok).toBe(true);
    expect(out.xnnError).toMatch(/^BackendError: wasm heap exhausted: XNNPACK could not allocate/);
    expect(r.stderr).not.toMatch(/XNN|not successful/);
  }, 180_000);
});
