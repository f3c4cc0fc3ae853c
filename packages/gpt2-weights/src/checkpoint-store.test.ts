// Crash-safe checkpoint directories under kill -9: a child writes checkpoints without end and is killed
// at seeded points (some inside a save: fsync, manifest, rename; some between saves). The newest
// complete checkpoint must always load whole, never a half-written one, and resume must go on from it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@llmfs/testing';
import {
  MANIFEST_FILE,
  findResumeCheckpoint,
  listCheckpoints,
  validateCheckpointDir,
} from './checkpoint-store.js';
import { gpt2CheckpointIO } from './gpt2-checkpoint-io.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, '../test/checkpoint-child.ts');

/** Delays in ms from a fixed seed (a small LCG): the same kill points on every run. */
function seededDelays(seed: number, n: number, max: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % max;
  });
}

/** Starts the child, waits for `afterSaves` saves, kills it `delayMs` later; resolves the last announced step. */
function runAndKill(dir: string, afterSaves: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', child, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let saves = 0;
    let last = -1;
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/saved (\d+)/g)) {
        last = Number(m[1]);
        if (++saves === afterSaves) setTimeout(() => p.kill('SIGKILL'), delayMs);
      }
    });
    p.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}

describe('checkpoint directories under kill -9', () => {
  it('always leave a newest complete checkpoint whose files are whole, and resume from it', async () => {
    const { dir, cleanup } = makeTempDir('llmfs-kill-');
    try {
      let lastSeen = -1;
      for (const [round, delay] of seededDelays(20260101, 3, 40).entries()) {
        const announced = await runAndKill(dir, 2 + round, delay);
        const ck = await findResumeCheckpoint(dir);
        const step = Number(/step-(\d+)$/.exec(ck)![1]);
        expect(step).toBeGreaterThanOrEqual(announced);
        expect(step).toBeGreaterThan(lastSeen);
        lastSeen = step;
        expect(await validateCheckpointDir(ck, { verifyHashes: true })).toBe(step);
        for (const c of await listCheckpoints(dir))
          expect(fs.existsSync(path.join(c.dir, MANIFEST_FILE))).toBe(true);
        // the files are the ones written for that step, whole
        const weights = new Float32Array(
          new Uint8Array(fs.readFileSync(path.join(ck, 'weights.bin'))).buffer,
        );
        expect(weights.length).toBe(1 << 19);
        expect(weights.every((x) => x === step)).toBe(true);
        expect(JSON.parse(await gpt2CheckpointIO.readText(path.join(ck, 'state.json')))).toEqual({ step });
      }
    } finally {
      cleanup();
    }
  }, 120_000);

  it('refuses a directory with no complete checkpoint, naming it', async () => {
    const { dir, cleanup } = makeTempDir('llmfs-ck-');
    try {
      fs.mkdirSync(path.join(dir, 'step-00000001'));
      await expect(findResumeCheckpoint(dir)).rejects.toThrow(
        `${dir}: no complete checkpoint (a directory with ${MANIFEST_FILE}) to resume from`,
      );
    } finally {
      cleanup();
    }
  });
});
