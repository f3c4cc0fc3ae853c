// Pretraining a tiny GPT in the browser (book ch. 5, `train_model_simple`): GPT-2 tokens of the
// pasted text, a 90/10 train/validation split, AdamW with global-norm clipping, one event per step,
// and pause / resume / stop between steps.
import * as tf from '@tensorflow/tfjs';
import { createDataLoaderV1, splitTextByRatio, type Batch } from '@llmfs/data-loader';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { AdamW, calcLossBatch, calcLossLoader, clipGradNorm } from '@llmfs/trainer';
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

/** An evaluation: train and validation loss on a few batches, and a greedy sample. */
export interface EvalEvent {
  kind: 'eval';
  step: number;
  trainLoss: number;
  valLoss: number;
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

  /** Trains until maxSteps or stop(); `emit` gets StepEvent and EvalEvent objects. */
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
    const named = this.model.trainableParameters();
    const byVar = new Map(named.map(([n, v]) => [v.name, n]));
    const opt = new AdamW(named, { lr: s.lr, weightDecay: s.weightDecay });
    this.model.train();
    let finalLoss = NaN;
    let tokensSeen = 0;
    for (let epoch = 0; !this.stopped && this.step < s.maxSteps; epoch++) {
      for (const batch of train.batches({ epoch })) {
        await yieldToEvents(); // pause / stop / sample messages get in here
        if (this.paused && !this.stopped) {
          emit({ kind: 'paused' });
          while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
          emit({ kind: 'resumed' });
        }
        if (this.stopped || this.step >= s.maxSteps) break;
        const t0 = performance.now();
        finalLoss = await this.lock.run(() => this.trainStep(batch, opt, byVar));
        this.step++;
        tokensSeen += batch.batchSize * batch.seqLen;
        emit({
          kind: 'step',
          step: this.step,
          loss: finalLoss,
          stepMs: performance.now() - t0,
          tokensSeen,
          numTensors: tf.memory().numTensors,
        });
        if (s.evalEvery > 0 && (this.step % s.evalEvery === 0 || this.step === 1)) {
          const ev = await this.lock.run(async () => {
            this.model.eval();
            const trainLoss = await calcLossLoader(train, this.model, 2);
            const valLoss = val.length > 0 ? await calcLossLoader(val, this.model, 2) : NaN;
            this.model.train();
            return { trainLoss, valLoss };
          });
          emit({ kind: 'eval', step: this.step, ...ev });
        }
      }
    }
    this.model.eval();
    return { steps: this.step, finalLoss };
  }

  private async trainStep(batch: Batch, opt: AdamW, byVar: Map<string, string>): Promise<number> {
    const vars = this.model.trainableParameters().map(([, v]) => v);
    const { value, grads } = tf.variableGrads(() => calcLossBatch(batch, this.model), vars);
    const named = new Map<string, tf.Tensor>();
    for (const [varName, g] of Object.entries(grads)) named.set(byVar.get(varName) ?? varName, g);
    clipGradNorm(named, 1.0);
    opt.step(named);
    for (const g of named.values()) g.dispose(); // clipGradNorm may have replaced (and freed) some
    for (const g of Object.values(grads)) g.dispose();
    const loss = (await value.data())[0];
    value.dispose();
    return loss;
  }
}
