// The threaded wasm build in Node (wasm-threads.ts): it starts with the requested number of XNNPACK
// threads, gives bit-identical results to the single-threaded build, lets Node exit, and leaves no
// temporary files. Each case runs in a fresh process: a backend starts only once per process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'threads-child.ts');

function run(threads: string | undefined, tmp: string): Promise<{ threads: number; values: number[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', child], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLMFS_WASM_THREADS: threads ?? '', TMPDIR: tmp },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    // a pool worker that kept Node alive would hang here until the test's timeout
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

describe('wasm threads in Node', () => {
  it('runs XNNPACK on 2 threads with the same bits as 1 thread, exits, and cleans up', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-threads-test-'));
    try {
      const one = await run('1', tmp);
      const two = await run('2', tmp);
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      expect(two.values.length).toBe(96 * 150);
      expect(two.values).toEqual(one.values);
      // the scripts written for the workers were removed once the backend was up
      expect(fs.readdirSync(tmp).filter((f) => f.startsWith('llmfs-'))).toEqual([]);
      // by default: one thread per core, at most 8 (the size of the build's worker pool)
      const byDefault = await run(undefined, tmp);
      expect(byDefault.threads).toBe(Math.min(os.availableParallelism(), 8));
      expect(byDefault.values).toEqual(one.values);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
