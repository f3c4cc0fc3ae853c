// The book's chapter 5 and appendix D names, used as the book uses them, against the gpt-tiny fixture
// (made by the book's own code) or against the book's formulas written out here.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLoaderV1, gpt2TokenEncoder } from '@llmfs/data-loader';
import { generateTextSimple } from '@llmfs/gpt-model';
import { gptTinyExpected, theVerdict } from '@llmfs/testing';
import {
  AdamW,
  Trainer,
  batchGrads,
  clipGradNorm,
  evaluateModel,
  findHighestGradient,
  formatEvalLine,
  generateAndPrintSample,
  plotLosses,
  textToTokenIds,
  tokenIdsToText,
  trainModel,
  type StepEvent,
  type TokenizerLike,
} from './index.js';
import { useBackend } from '../test/backend.js';
import { loadGptTiny } from '../test/gpt-tiny.js';
import { tinyLoaders, tinyModel } from '../test/tiny-setup.js';

const expected = gptTinyExpected();
/** GPT-2's encoder (through data-loader: the trainer takes no tokenizer package); ids decode as a list. */
const tokenizer: TokenizerLike = {
  encode: (text) => Array.from(gpt2TokenEncoder.encode(text)),
  decode: (ids) => Array.from(ids).join(' '),
};
/** The fixture's loader: unshuffled, batch 2, max_length = stride = 32. */
const fixtureLoader = () =>
  createDataLoaderV1(theVerdict(), { batchSize: 2, maxLength: 32, stride: 32, shuffle: false });

beforeAll(() => useBackend('wasm'));
afterAll(() => useBackend('cpu'));

describe("chapter 5's names", () => {
  it('textToTokenIds -> generateTextSimple -> tokenIdsToText, as listing 5.1', () => {
    const model = loadGptTiny();
    const encoded = textToTokenIds(expected.generate_greedy.prompt, tokenizer);
    expect(encoded.shape).toEqual([1, 4]); // the batch dimension the book adds with unsqueeze(0)
    expect(Array.from(encoded.dataSync())).toEqual(expected.generate_greedy.prompt_ids);
    const out = generateTextSimple(model, encoded.arraySync() as number[][], 12, 32);
    const ids = tf.tensor2d(out, [1, out[0].length], 'int32');
    expect(tokenIdsToText(ids, tokenizer)).toBe(expected.generate_greedy.output_ids.join(' '));
    tf.dispose([encoded, ids]);
    model.dispose();
  });

  it("evaluateModel gives the fixture's loss in eval mode and leaves the model training", async () => {
    const model = loadGptTiny().train();
    const loader = fixtureLoader();
    const { trainLoss, valLoss } = await evaluateModel(model, loader, loader, 1);
    expect(Math.abs(trainLoss - expected.forward.cross_entropy_loss)).toBeLessThan(1e-5);
    expect(valLoss).toBe(trainLoss);
    expect(model.training).toBe(true);
    model.dispose();
  });

  it("generateAndPrintSample prints the book's greedy continuation (KV cache) on one line", async () => {
    const model = loadGptTiny().train();
    const lines: string[] = [];
    const text = await generateAndPrintSample(model, tokenizer, 'Every effort moves you', {
      maxNewTokens: 12,
      contextSize: 32,
      print: (l) => lines.push(l),
    });
    expect(text).toBe(expected.generate_greedy.output_ids.join(' '));
    expect(lines).toEqual([text]);
    expect(model.training).toBe(true);
    model.dispose();
  });

  it('formatEvalLine is the book\'s "Ep 1 (Step 000000): Train loss ..., Val loss ..."', () => {
    expect(formatEvalLine({ epoch: 1, step: 0, trainLoss: 9.81766, valLoss: 9.92456 })).toBe(
      'Ep 1 (Step 000000): Train loss 9.818, Val loss 9.925',
    );
    expect(formatEvalLine({ epoch: 10, step: 1234, trainLoss: 0.5, valLoss: NaN })).toBe(
      'Ep 10 (Step 001234): Train loss 0.500',
    );
  });

  it('plotLosses(epochs, tokens, train, val) draws both curves over both axes; a NaN point is left out', () => {
    const svg = plotLosses([0, 0.5, 1], [0, 512, 1024], [9, 7, 5], [9.5, NaN, 6]);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['Epochs', 'Tokens seen', 'Loss', 'Training loss', 'Validation loss'])
      expect(svg).toContain(`>${label}<`);
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    expect(paths.map((d) => d.split(' ').length)).toEqual([3, 2]);
    // the last training point sits at the right end of the plot area, the lowest loss at its bottom
    const last = paths[0].split(' ')[2].slice(1).split(',').map(Number);
    const first = paths[0].split(' ')[0].slice(1).split(',').map(Number);
    expect(last[0]).toBeGreaterThan(first[0]);
    expect(last[1]).toBeGreaterThan(first[1]); // lower loss, lower on the page (larger y)
    expect(plotLosses([0, 1], [0, 10], [3, 2], [NaN, NaN])).not.toContain('Validation loss');
  });

  it("the Trainer reproduces the book's six AdamW losses of gpt-tiny (unshuffled, dropout 0)", async () => {
    const model = loadGptTiny().train();
    const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-3, weightDecay: 0.1 });
    const trainer = new Trainer({
      model,
      optimizer,
      trainLoader: fixtureLoader(),
      numEpochs: 1,
      maxSteps: 6,
    });
    const steps: StepEvent[] = [];
    trainer.on('step', (e) => steps.push(e));
    const r = await trainer.run();
    expect(r.steps).toBe(6);
    const want: number[] = expected.adamw_training.losses_before_each_step;
    steps.forEach((e, i) => expect(Math.abs(e.loss - want[i]), `step ${i}`).toBeLessThan(1e-3));
    optimizer.dispose();
    model.dispose();
  });
});

describe("appendix D's names", () => {
  it("trainModel: warmup then cosine decay (the book's formula), clipping after warmup, the four lists", async () => {
    const model = tinyModel();
    const { train, val } = tinyLoaders();
    const peakLr = 5e-3;
    const optimizer = new AdamW(model.trainableParameters(), { lr: peakLr, weightDecay: 0.1 });
    const nEpochs = 2;
    const totalSteps = train.length * nEpochs;
    const warmupSteps = Math.floor(0.2 * totalSteps);
    const r = await trainModel(model, train, val, optimizer, {
      nEpochs,
      evalFreq: 5,
      evalIter: 1,
      startContext: 'Every effort moves you',
      tokenizer: {
        encode: (t) => tokenizer.encode(t).map((x) => x % 97),
        decode: (ids) => Array.from(ids).join(' '),
      },
      warmupSteps,
      initialLr: 1e-5,
      minLr: 1e-5,
      log: () => undefined,
    });
    // the book's loop: global_step from 0, lr_increment, then progress over the remaining steps
    const lrIncrement = (peakLr - 1e-5) / warmupSteps;
    const bookLrs = Array.from({ length: totalSteps }, (_, step) =>
      step < warmupSteps
        ? 1e-5 + step * lrIncrement
        : 1e-5 +
          (peakLr - 1e-5) *
            0.5 *
            (1 + Math.cos((Math.PI * (step - warmupSteps)) / (totalSteps - warmupSteps))),
    );
    expect(r.trackLrs.length).toBe(totalSteps);
    r.trackLrs.forEach((lr, i) => expect(lr, `step ${i}`).toBeCloseTo(bookLrs[i], 12));
    expect(r.trainLosses.length).toBe(Math.ceil(totalSteps / 5));
    expect(r.valLosses.length).toBe(r.trainLosses.length);
    expect(r.trackTokensSeen[0]).toBe(2 * 16); // after the first step: one batch of 2 x 16 tokens
    optimizer.dispose();
    model.dispose();
  });

  it('findHighestGradient: the largest gradient value, smaller after clip_grad_norm_', async () => {
    const model = tinyModel();
    const [batch] = tinyLoaders().train;
    const { grads } = await batchGrads(batch, model, model.trainableParameters());
    const max = (m: Map<string, tf.Tensor>) =>
      Math.max(...[...m.values()].map((g) => Math.max(...Array.from(g.dataSync()))));
    const before = findHighestGradient(grads);
    expect(before).toBe(max(grads));
    const maxNorm = 0.5; // this tiny model's norm is below the book's 1.0
    const norm = clipGradNorm(grads, maxNorm);
    expect(norm).toBeGreaterThan(maxNorm); // else clipping would not change it
    const after = findHighestGradient(grads);
    expect(after).toBe(max(grads));
    expect(after).toBeCloseTo((before * maxNorm) / (norm + 1e-6), 6);
    tf.dispose([...grads.values()]);
    model.dispose();
  });
});
