// Chapter 6.7: train_classifier_simple on the trainer's one Trainer and one step: AdamW steps on the
// last-token loss, evaluation every evalFreq steps on evalIter batches, train/val accuracy after each
// epoch. Epochs in the callbacks count from 1, as the book prints them.
import type { GPTModel } from '@llmfs/gpt-model';
import { type AdamW, Trainer } from '@llmfs/trainer';
import type { BatchLoader, LabelBatch } from './batch.js';
import { calcAccuracyLoader, calcLossBatch } from './classifier-loss.js';

/** Options of trainClassifierSimple (the book: 5 epochs, evalFreq 50, evalIter 5). */
export interface TrainClassifierOptions {
  numEpochs?: number;
  evalFreq?: number;
  evalIter?: number;
  /** Stop after this many optimizer steps in all. */
  maxSteps?: number;
  onStep?: (e: { epoch: number; step: number; loss: number; examplesSeen: number }) => void;
  onEval?: (e: { epoch: number; step: number; trainLoss: number; valLoss: number }) => void;
  onEpoch?: (e: { epoch: number; trainAccuracy: number; valAccuracy: number }) => void;
  /** Checked after every step; a true value stops training there. */
  shouldStop?: () => boolean;
}

/** What trainClassifierSimple returns (the book's five lists and counters). */
export interface TrainClassifierResult {
  trainLosses: number[];
  valLosses: number[];
  trainAccs: number[];
  valAccs: number[];
  examplesSeen: number;
  steps: number;
  interrupted: boolean;
}

/** The book's train_classifier_simple over `model`'s trainable parameters. */
export async function trainClassifierSimple(
  model: GPTModel,
  trainLoader: BatchLoader<LabelBatch>,
  valLoader: BatchLoader<LabelBatch>,
  optimizer: AdamW,
  opts: TrainClassifierOptions = {},
): Promise<TrainClassifierResult> {
  const evalIter = opts.evalIter ?? 5;
  const trainAccs: number[] = [];
  const valAccs: number[] = [];
  let examplesSeen = 0;
  const trainer: Trainer<LabelBatch> = new Trainer<LabelBatch>({
    model,
    optimizer,
    trainLoader,
    valLoader,
    numEpochs: opts.numEpochs ?? 5,
    maxSteps: opts.maxSteps,
    evalFreq: opts.evalFreq ?? 50,
    evalIter,
    lossBatch: (b) => calcLossBatch(b, model),
    afterEpoch: async (epoch) => {
      const trainAccuracy = await calcAccuracyLoader(trainLoader, model, evalIter);
      const valAccuracy = await calcAccuracyLoader(valLoader, model, evalIter);
      trainAccs.push(trainAccuracy);
      valAccs.push(valAccuracy);
      opts.onEpoch?.({ epoch, trainAccuracy, valAccuracy });
    },
    betweenSteps: async () => {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (opts.shouldStop?.()) trainer.requestStop();
    },
  });
  trainer.on('step', (e) => {
    examplesSeen += e.batchSize;
    opts.onStep?.({ epoch: e.epoch, step: e.step, loss: e.loss, examplesSeen });
  });
  trainer.on('eval', (e) => opts.onEval?.(e));
  const r = await trainer.run();
  return {
    trainLosses: r.trainLosses,
    valLosses: r.valLosses,
    trainAccs,
    valAccs,
    examplesSeen,
    steps: r.steps,
    interrupted: r.interrupted,
  };
}
