// A process killed with kill -9 while the threaded wasm backend starts leaves its temporary folder of
// worker scripts (`llmfs-wasm-threads-<pid>-*`); the next start removes the folders of dead pids only.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { removeStaleTempDirs } from './stale-temp-dirs.js';
import { WASM_THREADS_TMP_PREFIX } from './wasm-threads.js';

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'threads-child.ts');

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/** Folders left in `tmp`: one of a dead process, one of this (live) process, one without a pid. */
function leftovers(tmp: string, prefix: string) {
  const dead = path.join(tmp, `${prefix}${deadPid()}-a1b2c3`);
  const live = path.join(tmp, `${prefix}${process.pid}-d4e5f6`);
  const old = path.join(tmp, `${prefix}g7h8i9`);
  for (const d of [dead, live, old]) {
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, 'main.js'), '// worker script');
  }
  return { dead, live, old };
}

describe('removeStaleTempDirs', () => {
  it("removes the folders of dead pids only, and the wasm backend's start does so", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-stale-test-'));
    try {
      const a = leftovers(tmp, 'x-');
      expect(await removeStaleTempDirs('x-', tmp)).toEqual([a.dead]);
      expect([a.dead, a.live, a.old].map((d) => fs.existsSync(d))).toEqual([false, true, true]);

      const b = leftovers(tmp, WASM_THREADS_TMP_PREFIX);
      const code = await new Promise((resolve) =>
        spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', child], {
          stdio: 'ignore',
          env: { ...process.env, LLMFS_WASM_THREADS: '2', TMPDIR: tmp },
        }).on('exit', resolve),
      );
      expect(code).toBe(0);
      expect([b.dead, b.live, b.old].map((d) => fs.existsSync(d))).toEqual([false, true, true]);
      // and the child's own folder is gone too
      expect(
        fs
          .readdirSync(tmp)
          .filter((f) => !f.startsWith('tsx-'))
          .sort(),
      ).toEqual([a.live, a.old, b.live, b.old].map((d) => path.basename(d)).sort());
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
