// Pretraining a tiny GPT in the browser (book ch. 5, `train_model_simple`): GPT-2 tokens of the
// pasted text, a 90/10 train/validation split, AdamW with global-norm clipping, one event per step,
// and pause / resume / stop between steps. The loop and the step are @llmfs/trainer's Trainer, the
// same ones `llmfs pretrain` runs.
import * as tf from '@tensorflow/tfjs';
import { createDataLoaderV1, splitTextByRatio } from '@llmfs/data-loader';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { AdamW, Trainer, formatEvalLine } from '@llmfs/trainer';
import { ModelFileError } from './errors.js';
import { checkBindingLimit } from './load-model.js';
import { Mutex } from './mutex.js';
import type { TrainSettings } from './protocol.js';
import { yieldToEvents } from './yield-to-events.js';

/** One optimizer step, as the page's loss chart gets it. */
export interface StepEvent {
  kind: 'step';
  step: number;
  loss: number;
  stepMs: number;
  tokensSeen: number;
  numTensors: number;
}

/** An evaluation: train and validation loss on a few batches, and the book's line for it. */
export interface EvalEvent {
  kind: 'eval';
  step: number;
  trainLoss: number;
  valLoss: number;
  line: string;
}

/** The model being trained and the state of its run. */
export class BrowserTraining {
  readonly model: GPTModel;
  readonly cfg: GPTConfig;
  readonly lock = new Mutex();
  step = 0;
  paused = false;
  stopped = false;
  private wake?: () => void;

  constructor(readonly settings: TrainSettings) {
    this.cfg = {
      vocabSize: getEncoding('gpt2').nVocab,
      contextLength: settings.contextLength,
      embDim: settings.embDim,
      nHeads: settings.nHeads,
      nLayers: settings.nLayers,
      dropRate: 0,
      qkvBias: false,
    };
    // On WebGPU: the embedding, the head and the logits [B*T, V] must each fit one binding.
    checkBindingLimit([
      ['tok_emb.weight', { shape: [this.cfg.vocabSize, this.cfg.embDim] }],
      ['logits', { shape: [settings.batchSize * settings.contextLength, this.cfg.vocabSize] }],
    ]);
    this.model = new GPTModel(this.cfg, { seed: settings.seed });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Trains until maxSteps or stop(); `emit` gets StepEvent and EvalEvent objects (1-based steps). */
  async run(
    emit: (e: StepEvent | EvalEvent | { kind: 'paused' | 'resumed' }) => void,
  ): Promise<{ steps: number; finalLoss: number }> {
    const s = this.settings;
    const [trainText, valText] = splitTextByRatio(s.text, 0.9);
    const opts = { batchSize: s.batchSize, maxLength: s.contextLength, stride: s.contextLength };
    const train = createDataLoaderV1(trainText, { ...opts, shuffle: true, dropLast: true, seed: s.seed });
    if (train.length === 0) {
      throw new ModelFileError(
        `the text is too short for one batch of ${s.batchSize} x ${s.contextLength} tokens: paste more text or lower the batch size / context`,
      );
    }
    const val = createDataLoaderV1(valText, { ...opts, shuffle: false, dropLast: false });
    const optimizer = new AdamW(this.model.trainableParameters(), { lr: s.lr, weightDecay: s.weightDecay });
    const trainer = new Trainer({
      model: this.model,
      optimizer,
      trainLoader: train,
      valLoader: val.length > 0 ? val : undefined,
      numEpochs: Math.ceil(s.maxSteps / train.length),
      maxSteps: s.maxSteps,
      evalFreq: s.evalEvery,
      evalIter: 2,
      gradClip: { maxNorm: 1.0 },
      // sampling from the model being trained takes turns with the steps and evaluations
      exclusive: (work) => this.lock.run(work),
      betweenSteps: async () => {
        await yieldToEvents(); // pause / stop / sample messages get in here
        if (this.paused && !this.stopped) {
          emit({ kind: 'paused' });
          while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
          emit({ kind: 'resumed' });
        }
        if (this.stopped) trainer.requestStop();
      },
    });
    let finalLoss = NaN;
    trainer.on('step', (e) => {
      this.step = e.step + 1;
      finalLoss = e.loss;
      emit({
        kind: 'step',
        step: this.step,
        loss: e.loss,
        stepMs: e.stepMs,
        tokensSeen: e.tokensSeen,
        numTensors: tf.memory().numTensors,
      });
    });
    trainer.on('eval', (e) =>
      emit({
        kind: 'eval',
        step: e.step + 1,
        trainLoss: e.trainLoss,
        valLoss: e.valLoss,
        line: formatEvalLine(e),
      }),
    );
    try {
      if (!this.stopped) await trainer.run();
    } finally {
      optimizer.dispose();
    }
    this.model.eval();
    return { steps: this.step, finalLoss };
  }
}
