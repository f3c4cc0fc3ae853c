import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@llmfs/testing';
import { AdamW } from './adamw.js';
import { NonFiniteLossError, TrainerCheckpointError } from './errors.js';
import { Trainer, type StepEvent } from './trainer.js';
import { BACKENDS, useBackend } from '../test/backend.js';
import { findResumeCheckpoint, listCheckpoints, loadWeights, simpleIO } from '../test/simple-io.js';
import { tinyLoaders, tinyModel } from '../test/tiny-setup.js';

const temps: Array<() => void> = [];
afterEach(() => temps.splice(0).forEach((c) => c()));
function tempDir(): string {
  const t = makeTempDir('llmfs-trainer-');
  temps.push(t.cleanup);
  return t.dir;
}

function setup(dir: string, extra: { maxSteps?: number; everySteps?: number } = {}) {
  const model = tinyModel();
  const { train, val } = tinyLoaders();
  const optimizer = new AdamW(model.trainableParameters(), { lr: 3e-3, weightDecay: 0.1 });
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader: train,
    valLoader: val,
    numEpochs: 2,
    maxSteps: extra.maxSteps,
    evalFreq: 4,
    evalIter: 2,
    schedule: { peakLr: 3e-3, initialLr: 1e-4, minLr: 1e-4, warmupSteps: 3 },
    gradClip: { maxNorm: 1, fromStep: 3 },
    checkpoint: { dir, io: simpleIO, everySteps: extra.everySteps ?? 5, keepLast: 2 },
  });
  const steps: StepEvent[] = [];
  trainer.on('step', (e) => steps.push(e));
  return { model, optimizer, trainer, steps };
}

function weightsOf(model: ReturnType<typeof tinyModel>): Float32Array[] {
  return model.namedParameters().map(([, v]) => Float32Array.from(v.dataSync()));
}

describe.each(BACKENDS)('Trainer on %s', (backend) => {
  it('resumes mid-epoch to exactly the losses and weights of an uninterrupted run (dropout on)', async () => {
    await useBackend(backend);
    const full = setup(tempDir());
    const r = await full.trainer.run();
    expect(r.steps).toBe(full.trainer.totalSteps());
    expect(full.steps.length).toBeGreaterThan(20);

    const dir = tempDir();
    const first = setup(dir);
    first.trainer.on('step', (e) => e.step === 12 && first.trainer.requestStop());
    await first.trainer.run();
    const ck = findResumeCheckpoint(dir);
    expect(path.basename(ck)).toBe('step-00000013');

    const second = setup(tempDir());
    loadWeights(ck, second.model);
    await second.trainer.restore(ck, simpleIO);
    expect(second.trainer.step).toBe(13);
    const r2 = await second.trainer.run();

    const losses = (s: StepEvent[]) => s.map((e) => e.loss);
    expect([...losses(first.steps), ...losses(second.steps)]).toEqual(losses(full.steps));
    expect(second.steps.map((e) => e.lr)).toEqual(full.steps.slice(13).map((e) => e.lr));
    expect(r2.trainLosses).toEqual(r.trainLosses);
    expect(r2.valLosses).toEqual(r.valLosses);
    expect(r2.tokensSeen).toEqual(r.tokensSeen);
    const a = weightsOf(full.model);
    const b = weightsOf(second.model);
    a.forEach((w, i) => expect(b[i]).toEqual(w));
    for (const s of [full, first, second]) {
      s.optimizer.dispose();
      s.model.dispose();
    }
  });

  it('stops before the update on a non-finite loss, naming the step, and keeps the last good checkpoint', async () => {
    await useBackend(backend);
    const dir = tempDir();
    const s = setup(dir, { everySteps: 1 });
    const head = s.model.namedParameters().find(([n]) => n === 'out_head.weight')![1];
    s.trainer.on('step', (e) => {
      if (e.step === 2) head.assign(tf.fill(head.shape, NaN));
    });
    const err = await s.trainer.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/^step 3: loss is NaN/);
    const ck = findResumeCheckpoint(dir);
    // the checkpoint after step 2 was written by the listener order: step event, then save
    const saved = fs.readFileSync(path.join(ck, 'weights.bin'));
    expect(saved.length).toBeGreaterThan(0);
    expect(listCheckpoints(dir).length).toBeLessThanOrEqual(2);
    s.optimizer.dispose();
    s.model.dispose();
  });

  it('finishes the step on a stop request, saves, keeps the tensor count flat', async () => {
    await useBackend(backend);
    const dir = tempDir();
    const s = setup(dir, { everySteps: 1000 });
    const counts: number[] = [];
    s.trainer.on('step', (e) => {
      counts.push(tf.memory().numTensors);
      if (e.step === 6) s.trainer.requestStop();
    });
    const r = await s.trainer.run();
    expect(r.interrupted).toBe(true);
    expect(r.steps).toBe(7);
    expect(path.basename(r.lastCheckpoint!)).toBe('step-00000007');
    expect(new Set(counts.slice(1)).size).toBe(1);
    s.optimizer.dispose();
    s.model.dispose();
  });
});

describe('Trainer checkpoints', () => {
  it('refuses a checkpoint from a run with other data settings', async () => {
    await useBackend('cpu');
    const dir = tempDir();
    const s = setup(dir, { maxSteps: 2 });
    await s.trainer.run();
    const ck = findResumeCheckpoint(dir);
    const state = JSON.parse(fs.readFileSync(path.join(ck, 'trainer_state.json'), 'utf8'));
    state.batchesPerEpoch = 999;
    fs.writeFileSync(path.join(ck, 'trainer_state.json'), JSON.stringify(state));
    const t = setup(tempDir());
    await expect(t.trainer.restore(ck, simpleIO)).rejects.toThrow(TrainerCheckpointError);
    // the edited file no longer matches the manifest: resume refuses it
    expect(() => findResumeCheckpoint(dir)).toThrow(/no complete checkpoint/);
    for (const x of [s, t]) {
      x.optimizer.dispose();
      x.model.dispose();
    }
  });
});

describe('what a checkpoint holds', () => {
  const run = async (checkpoint: { everySteps?: number; saveOptimizer?: boolean }) => {
    await useBackend('cpu');
    const dir = tempDir();
    const model = tinyModel();
    const { train } = tinyLoaders();
    const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-3 });
    const saves: boolean[] = [];
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: train,
      numEpochs: 2,
      maxSteps: 3,
      checkpoint: { dir, io: simpleIO, ...checkpoint },
    });
    trainer.on('checkpoint', (e) => saves.push(e.optimizer));
    await trainer.run();
    const ck = findResumeCheckpoint(dir);
    const again = new Trainer({ model, optimizer, trainLoader: train, numEpochs: 2 });
    const { optimizerRestored } = await again.restore(ck, simpleIO);
    optimizer.dispose();
    model.dispose();
    return { saves, moments: fs.existsSync(path.join(ck, 'training_state.safetensors')), optimizerRestored };
  };

  it("like the book, one save at the end, without the optimizer's moments unless asked", async () => {
    expect(await run({})).toEqual({ saves: [false], moments: false, optimizerRestored: false });
    expect(await run({ saveOptimizer: true })).toEqual({
      saves: [true],
      moments: true,
      optimizerRestored: true,
    });
    // a run that saves as it goes is one to be resumed: each of its checkpoints holds them
    expect(await run({ everySteps: 2 })).toEqual({
      saves: [true, true],
      moments: true,
      optimizerRestored: true,
    });
  });
});
