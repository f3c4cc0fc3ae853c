// A resume reads trainer_state.json through readTrainerState: a truncated, hand-edited or foreign file
// is a TrainerCheckpointError naming the file and the field. And an evaluation that comes out NaN (an
// empty validation loader) stops the run naming the step instead of reporting NaN.
import fs from 'node:fs';
import path from 'node:path';
import { createDataLoaderV1 } from '@llmfs/data-loader';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamw.js';
import { TRAINER_STATE_FILE } from './checkpoint-io.js';
import { NonFiniteLossError, TrainerCheckpointError } from './errors.js';
import { Trainer } from './trainer.js';
import { readTrainerState } from './trainer-state-file.js';
import { findResumeCheckpoint, simpleIO } from '../test/simple-io.js';
import { useBackend } from '../test/backend.js';
import { tinyIds, tinyLoaders, tinyModel } from '../test/tiny-setup.js';

const tmp = makeTempDir('llmfs-state-');
afterAll(tmp.cleanup);

describe('readTrainerState', () => {
  it('names the file and the field for every kind of broken state', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const { train, val } = tinyLoaders();
    const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-3 });
    const dir = path.join(tmp.dir, 'run');
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: train,
      valLoader: val,
      numEpochs: 1,
      maxSteps: 2,
      evalFreq: 1,
      evalIter: 1,
      checkpoint: { dir, io: simpleIO },
    });
    await trainer.run();
    const ck = findResumeCheckpoint(dir);
    const file = path.join(ck, TRAINER_STATE_FILE);
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(await readTrainerState(ck, simpleIO)).toEqual(good);

    const cases: Array<[string, string | RegExp]> = [
      ['{', /: not valid JSON \(.+\)$/],
      ['', /: not valid JSON/],
      ['[1]', ': not a JSON object'],
      ['{}', ': "format" must be "llmfs-trainer-state", got nothing'],
      [JSON.stringify({ ...good, format: 'x' }), ': "format" must be "llmfs-trainer-state", got "x"'],
      [JSON.stringify({ ...good, step: -1 }), ': "step" must be a non-negative integer, got -1'],
      [JSON.stringify({ ...good, step: '3' }), ': "step" must be a non-negative integer, got "3"'],
      [JSON.stringify({ ...good, batchInEpoch: 1e6 }), /: "batchInEpoch" must be at most batchesPerEpoch/],
      [
        JSON.stringify({ ...good, rngStates: 'x' }),
        ': "rngStates" must be an array of number arrays, got "x"',
      ],
      [JSON.stringify({ ...good, valLosses: [1] }), /: "valLosses" must be an array as long as evalSteps/],
      [JSON.stringify({ ...good, lr: null }), ': "lr" must be a number >= 0, got null'],
    ];
    for (const [text, message] of cases) {
      fs.writeFileSync(file, text);
      const err = await readTrainerState(ck, simpleIO).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err, text).toBeInstanceOf(TrainerCheckpointError);
      expect(err!.message.startsWith(file), text).toBe(true);
      if (typeof message === 'string') expect(err!.message).toBe(file + message);
      else expect(err!.message).toMatch(message);
    }
    // Trainer.restore goes through the same checks
    fs.writeFileSync(file, '{');
    await expect(trainer.restore(ck, simpleIO)).rejects.toThrow(`${file}: not valid JSON`);
    optimizer.dispose();
    model.dispose();
  });
});

describe('evaluations never report NaN', () => {
  it('an empty validation loader stops the run at its first evaluation, naming the step', async () => {
    await useBackend('cpu');
    const model = tinyModel();
    const { train } = tinyLoaders();
    const empty = createDataLoaderV1(tinyIds(40), {
      batchSize: 2,
      maxLength: 16,
      stride: 16,
      dropLast: false,
    });
    Object.defineProperty(empty, 'length', { value: 0 });
    const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-3 });
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: train,
      valLoader: empty,
      numEpochs: 1,
      evalFreq: 2,
      evalIter: 1,
    });
    const evals: number[] = [];
    trainer.on('eval', (e) => evals.push(e.valLoss));
    const err = await trainer.run().catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toBe('step 0: validation loss is NaN; stopped (the last good checkpoint is kept)');
    expect(evals).toEqual([]);
    optimizer.dispose();
    model.dispose();
  });
});
