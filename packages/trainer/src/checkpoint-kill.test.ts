import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@llmfs/nn';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@llmfs/testing';
import { findResumeCheckpoint, listCheckpoints, MANIFEST_FILE } from './checkpoint-store.js';
import { AdamW } from './adamw.js';
import { Trainer } from './trainer.js';
import { useBackend } from '../test/backend.js';
import { loadWeights, simpleIO } from '../test/simple-io.js';
import { tinyLoaders, tinyModel } from '../test/tiny-setup.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const child = path.join(here, '../test/train-child.ts');
/** Seed of the kill delays: the same delays every run (env LLMFS_KILL_SEED tries others). */
const KILL_SEED = Number(process.env.LLMFS_KILL_SEED ?? 20240);
/** Kill delays are drawn from 0..MAX_KILL_DELAY_MS-1 after the announced save. */
const MAX_KILL_DELAY_MS = 40;

/** Starts the child, waits until it has saved `afterSaves` more checkpoints, then kills it after `delayMs`. */
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

describe('checkpoints under kill -9', () => {
  it('always leave a last good checkpoint that loads and resumes', async () => {
    const { dir, cleanup } = makeTempDir('llmfs-kill-');
    try {
      let lastSeen = -1;
      const rng = new Rng(KILL_SEED);
      for (let round = 0; round < 3; round++) {
        // seeded points: some kills land inside a save (fsync + rename), some between steps
        const announced = await runAndKill(dir, 2 + round, rng.int(MAX_KILL_DELAY_MS));
        const ck = findResumeCheckpoint(dir);
        const step = Number(/step-(\d+)$/.exec(ck)![1]);
        expect(step).toBeGreaterThanOrEqual(announced);
        expect(step).toBeGreaterThan(lastSeen);
        lastSeen = step;
        for (const c of listCheckpoints(dir))
          expect(fs.existsSync(path.join(c.dir, MANIFEST_FILE))).toBe(true);

        await useBackend('cpu');
        const model = tinyModel();
        const { train } = tinyLoaders();
        const opt = new AdamW(model.trainableParameters(), { lr: 1e-3 });
        const t = new Trainer({ model, optimizer: opt, trainLoader: train, numEpochs: 1000 });
        loadWeights(ck, model);
        await t.restore(ck, simpleIO);
        expect(t.step).toBe(step);
        expect(model.namedParameters().every(([, v]) => tf.all(tf.isFinite(v)).dataSync()[0] === 1)).toBe(
          true,
        );
        opt.dispose();
        model.dispose();
      }
    } finally {
      cleanup();
    }
  }, 120_000);
});
