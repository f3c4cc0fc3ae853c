// Chapter 6.7: train_classifier_simple: AdamW steps on the last-token loss, evaluation every evalFreq
// steps on evalIter batches, train/val accuracy after each epoch.
import type { GPTModel } from '@llmfs/gpt-model';
import { releaseWeightCaches } from '@llmfs/nn';
import type { BatchLoader, LabelBatch } from './batch.js';
import { calcAccuracyLoader, calcClassifierLossLoader, classifierTrainStep } from './classifier-loss.js';
import type { StepOptimizer } from './train-step.js';

/** Options of trainClassifierSimple (the book: 5 epochs, evalFreq 50, evalIter 5). */
export interface TrainClassifierOptions {
  numEpochs?: number;
  evalFreq?: number;
  evalIter?: number;
  onStep?: (e: { epoch: number; step: number; loss: number; examplesSeen: number }) => void;
  onEval?: (e: { epoch: number; step: number; trainLoss: number; valLoss: number }) => void;
  onEpoch?: (e: { epoch: number; trainAccuracy: number; valAccuracy: number }) => void;
  /** Checked before every step; a true value stops training after the current step. */
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
}

/** The book's evaluate_model for classifiers: mean loss on evalIter batches of each loader, in eval mode. */
export async function evaluateClassifier(
  model: GPTModel,
  trainLoader: BatchLoader<LabelBatch>,
  valLoader: BatchLoader<LabelBatch>,
  evalIter: number,
): Promise<{ trainLoss: number; valLoss: number }> {
  model.eval();
  try {
    return {
      trainLoss: await calcClassifierLossLoader(trainLoader, model, evalIter),
      valLoss: await calcClassifierLossLoader(valLoader, model, evalIter),
    };
  } finally {
    model.train();
    releaseWeightCaches(model.parameters()); // the eval's packed weights would crowd the next pass
  }
}

/** The book's train_classifier_simple over `model`'s trainable parameters. */
export async function trainClassifierSimple(
  model: GPTModel,
  trainLoader: BatchLoader<LabelBatch>,
  valLoader: BatchLoader<LabelBatch>,
  optimizer: StepOptimizer,
  opts: TrainClassifierOptions = {},
): Promise<TrainClassifierResult> {
  const numEpochs = opts.numEpochs ?? 5;
  const evalFreq = opts.evalFreq ?? 50;
  const evalIter = opts.evalIter ?? 5;
  const res: TrainClassifierResult = {
    trainLosses: [],
    valLosses: [],
    trainAccs: [],
    valAccs: [],
    examplesSeen: 0,
    steps: 0,
  };
  let globalStep = -1;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    model.train();
    for (const batch of trainLoader.batches({ epoch })) {
      if (opts.shouldStop?.()) return res;
      const loss = classifierTrainStep(model, optimizer, batch);
      res.examplesSeen += batch.batchSize;
      globalStep++;
      res.steps++;
      opts.onStep?.({ epoch, step: globalStep, loss, examplesSeen: res.examplesSeen });
      if (globalStep % evalFreq === 0) {
        const { trainLoss, valLoss } = await evaluateClassifier(model, trainLoader, valLoader, evalIter);
        res.trainLosses.push(trainLoss);
        res.valLosses.push(valLoss);
        opts.onEval?.({ epoch, step: globalStep, trainLoss, valLoss });
      }
    }
    const trainAccuracy = await calcAccuracyLoader(trainLoader, model, evalIter);
    const valAccuracy = await calcAccuracyLoader(valLoader, model, evalIter);
    res.trainAccs.push(trainAccuracy);
    res.valAccs.push(valAccuracy);
    opts.onEpoch?.({ epoch, trainAccuracy, valAccuracy });
  }
  return res;
}
