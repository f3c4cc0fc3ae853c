// The training loop of the book's train_model_simple (ch05) with appendix D's warmup, cosine decay and
// clipping, as a class that emits events (step, eval, sample, checkpoint), stops cleanly on request,
// guards against non-finite losses, and saves/restores everything an exact resume needs.
import * as tf from '@tensorflow/tfjs';
import type { MemoryPlan } from '@llmfs/nn';
import { splitFusedQkvState } from './split-fused-qkv-state.js';
import type { AdamW } from './adamw.js';
import { type CheckpointIO, TRAINER_STATE_FILE, TRAINING_STATE_FILE, joinPath } from './checkpoint-io.js';
import { NonFiniteLossError, TrainerCheckpointError, TrainerError } from './errors.js';
import { evaluateModel } from './evaluate-model.js';
import { generateAndPrintSample } from './generate-and-print-sample.js';
import { type RngLike, collectRngs } from './rng-states.js';
import { readTrainerState } from './trainer-state-file.js';
import { trainStep } from './train-step.js';
import type { BatchLike, LoaderLike, LossBatch, StepBatch, TokenizerLike, TrainableModel } from './types.js';
import { type WarmupCosineOptions, warmupCosineLr } from './warmup-cosine-lr.js';

/** Lets timers, messages and signal handlers (Ctrl-C) run between steps, in Node and in browsers. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Payload of the `step` event: one optimizer step (0-based `step`, 1-based `epoch`, `loss` before its update). */
export interface StepEvent {
  step: number;
  epoch: number;
  /** Rows in the step's batch. */
  batchSize: number;
  tokensSeen: number;
  loss: number;
  lr: number;
  stepMs: number;
  gradNorm: number;
}
/** Payload of the `eval` event (every evalFreq steps, evalIter batches of each loader; 1-based `epoch`). */
export interface EvalEvent {
  step: number;
  epoch: number;
  epochsSeen: number;
  tokensSeen: number;
  trainLoss: number;
  valLoss: number;
}
/** Payload of the `sample` event (after each epoch; `epoch` is the 1-based epoch just finished). */
export interface SampleEvent {
  epoch: number;
  step: number;
  text: string;
}
/** Payload of the `checkpoint` event (`optimizer`: the optimizer's moments were written too). */
export interface CheckpointEvent {
  step: number;
  dir: string;
  optimizer: boolean;
}
/** The events a {@link Trainer} emits. */
export interface TrainerEvents {
  step: StepEvent;
  eval: EvalEvent;
  sample: SampleEvent;
  checkpoint: CheckpointEvent;
}

/** Options of {@link Trainer}; `B` is the batch type (next-token batches unless `lossBatch` says otherwise). */
export interface TrainerOptions<B extends StepBatch = BatchLike> {
  model: TrainableModel;
  optimizer: AdamW;
  trainLoader: LoaderLike<B>;
  valLoader?: LoaderLike<B>;
  /** The batch's loss (default: next-token cross-entropy; chapter 6 passes its last-token loss). */
  lossBatch?: LossBatch<B>;
  numEpochs: number;
  /** Stop after this many optimizer steps in total (counted across epochs). */
  maxSteps?: number;
  /** Evaluate every evalFreq steps (after steps 0, evalFreq, 2*evalFreq, ...); 0 = never. */
  evalFreq?: number;
  evalIter?: number;
  /** Learning-rate schedule (appendix D); without it the optimizer's lr stays fixed. */
  schedule?: Omit<WarmupCosineOptions, 'totalSteps'> & { totalSteps?: number };
  /** Global-norm clipping from step `fromStep` on (appendix D: from warmupSteps). */
  gradClip?: { maxNorm: number; fromStep?: number };
  /** Greedy sample after each epoch (book: "Every effort moves you", 50 tokens). */
  startContext?: string;
  tokenizer?: TokenizerLike;
  sampleTokens?: number;
  contextSize?: number;
  checkpoint?: {
    dir: string;
    io: CheckpointIO;
    /** Save every N optimizer steps (besides the end of the run and a stop request). */
    everySteps?: number;
    /** Also save at each epoch's end (default false: like the book, once at the end). */
    atEpochEnd?: boolean;
    /**
     * Write the optimizer's moments (what an exact resume needs) in every checkpoint. Without it they
     * are written only in the checkpoints that exist to be resumed: those of a run with `everySteps`
     * and the one a stop request makes.
     */
    saveOptimizer?: boolean;
    keepLast?: number;
    /** Free-form run settings stored in trainer_state.json (the CLI keeps its flags there). */
    runConfig?: unknown;
  };
  /** Generators to save for exact resume (default: every `rng` in the model tree). */
  rngs?: RngLike[];
  ignoreIndex?: number;
  /**
   * Split each batch's rows into this many passes and accumulate the gradients (same loss and update
   * up to float rounding; dropout masks are drawn per pass). Cuts peak activation memory; nn's memory
   * plan picks a count when this is unset. Must divide the batch size. Default 1.
   */
  microBatches?: number;
  /**
   * nn's memory plan for the step (gpt-model's `modelMemoryProfile` + nn's `planTraining`): its
   * micro-batches, and the streamed block-by-block step when it says so. `microBatches` overrides it.
   */
  memoryPlan?: MemoryPlan;
  /**
   * Runs each step, evaluation and sample inside it (the demo's lock against a concurrent generation).
   */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Awaited between steps (default: one turn of the event loop, so Ctrl-C and messages get in). */
  betweenSteps?: () => Promise<void>;
  /** Awaited after each epoch, before its checkpoint (chapter 6 computes its accuracies here). */
  afterEpoch?: (epoch: number) => Promise<void>;
}

/** What a run returns (the book's train_losses, val_losses, track_tokens_seen, and more). */
export interface TrainResult {
  trainLosses: number[];
  valLosses: number[];
  tokensSeen: number[];
  epochsSeen: number[];
  evalSteps: number[];
  steps: number;
  interrupted: boolean;
  lastCheckpoint?: string;
}

/** Contents of trainer_state.json. */
export interface TrainerState {
  format: 'llmfs-trainer-state';
  version: 1;
  step: number;
  epoch: number;
  batchInEpoch: number;
  tokensSeen: number;
  trainLosses: number[];
  valLosses: number[];
  trackTokensSeen: number[];
  epochsSeen: number[];
  evalSteps: number[];
  rngStates: number[][];
  lr: number;
  schedule?: WarmupCosineOptions;
  batchesPerEpoch: number;
  runConfig?: unknown;
}

type Listener<T> = (e: T) => void;

/** The book's training loop as an event-emitting, resumable object. */
export class Trainer<B extends StepBatch = BatchLike> {
  /** Optimizer steps done. */
  step = 0;
  /** Current epoch (0-based) and the next batch in it. */
  epoch = 0;
  batchInEpoch = 0;
  tokensSeen = 0;
  readonly trainLosses: number[] = [];
  readonly valLosses: number[] = [];
  readonly trackTokensSeen: number[] = [];
  readonly epochsSeen: number[] = [];
  readonly evalSteps: number[] = [];
  lastCheckpoint?: string;
  private readonly listeners: { [K in keyof TrainerEvents]: Array<Listener<TrainerEvents[K]>> } = {
    step: [],
    eval: [],
    sample: [],
    checkpoint: [],
  };
  private stopRequested = false;
  private readonly rngs: RngLike[];
  private readonly baseLr: number;
  private lastSavedStep = -1;

  constructor(readonly opts: TrainerOptions<B>) {
    this.rngs = opts.rngs ?? collectRngs(opts.model);
    this.baseLr = opts.optimizer.lr;
    if (opts.trainLoader.length === 0) throw new TrainerError('Trainer: the training loader has no batches');
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof TrainerEvents>(event: K, listener: Listener<TrainerEvents[K]>): () => void {
    const list = this.listeners[event] as Array<Listener<TrainerEvents[K]>>;
    list.push(listener);
    return () => list.splice(list.indexOf(listener) >>> 0, 1);
  }

  private emit<K extends keyof TrainerEvents>(event: K, payload: TrainerEvents[K]): void {
    for (const l of this.listeners[event] as Array<Listener<TrainerEvents[K]>>) l(payload);
  }

  /** Asks the run to stop after the current step; it saves a checkpoint (when configured) and returns. */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Steps of the whole run: maxSteps, or epochs x batches per epoch. */
  totalSteps(): number {
    const byEpochs = this.opts.numEpochs * this.opts.trainLoader.length;
    return this.opts.maxSteps !== undefined ? Math.min(this.opts.maxSteps, byEpochs) : byEpochs;
  }

  private schedule(): WarmupCosineOptions | undefined {
    const s = this.opts.schedule;
    return s ? { ...s, totalSteps: s.totalSteps ?? this.totalSteps() } : undefined;
  }

  /** Learning rate of 0-based step `step`. */
  lrAt(step: number): number {
    const s = this.schedule();
    return s ? warmupCosineLr(step, s) : this.baseLr;
  }

  /** Runs (or continues) training until numEpochs / maxSteps, or a stop request. */
  async run(): Promise<TrainResult> {
    const { model, optimizer, trainLoader } = this.opts;
    const total = this.totalSteps();
    const evalFreq = this.opts.evalFreq ?? 0;
    const exclusive = this.opts.exclusive ?? ((work) => work());
    model.train();
    let interrupted = false;
    outer: while (this.epoch < this.opts.numEpochs && this.step < total) {
      const it = trainLoader.batches
        ? trainLoader.batches({ epoch: this.epoch, startBatch: this.batchInEpoch })
        : [...trainLoader].slice(this.batchInEpoch)[Symbol.iterator]();
      for (const batch of it) {
        if (this.step >= total) break outer;
        const lr = this.lrAt(this.step);
        optimizer.lr = lr;
        const t0 = performance.now();
        const clip = this.opts.gradClip;
        const { loss, gradNorm } = await exclusive(() =>
          trainStep(batch, model, optimizer, {
            step: this.step,
            microBatches: this.opts.microBatches,
            plan: this.opts.memoryPlan,
            ignoreIndex: this.opts.ignoreIndex,
            lossBatch: this.opts.lossBatch,
            clipNorm: clip && this.step >= (clip.fromStep ?? 0) ? clip.maxNorm : undefined,
          }),
        );
        this.tokensSeen += batch.batchSize * batch.seqLen;
        const stepMs = performance.now() - t0;
        const done = this.step;
        this.step++;
        this.batchInEpoch++;
        this.emit('step', {
          step: done,
          epoch: this.epoch + 1,
          batchSize: batch.batchSize,
          tokensSeen: this.tokensSeen,
          loss,
          lr,
          stepMs,
          gradNorm,
        });
        if (evalFreq > 0 && done % evalFreq === 0) await this.evaluate(done);
        const every = this.opts.checkpoint?.everySteps;
        if (every && this.step % every === 0) await this.saveCheckpoint({ optimizer: true });
        await (this.opts.betweenSteps ?? yieldToEventLoop)();
        if (this.stopRequested) {
          interrupted = true;
          break outer;
        }
      }
      if (this.batchInEpoch < trainLoader.length) break; // maxSteps reached mid-epoch
      this.epoch++;
      this.batchInEpoch = 0;
      const { startContext, tokenizer } = this.opts;
      if (startContext !== undefined && tokenizer) {
        const text = await exclusive(() =>
          generateAndPrintSample(model, tokenizer, startContext, {
            contextSize: this.opts.contextSize,
            maxNewTokens: this.opts.sampleTokens ?? 50,
            print: () => undefined, // the 'sample' event carries it
          }),
        );
        this.emit('sample', { epoch: this.epoch, step: this.step, text });
      }
      await this.opts.afterEpoch?.(this.epoch);
      if (this.opts.checkpoint?.atEpochEnd) await this.saveCheckpoint();
    }
    // a stopped run, or one that saves as it goes, is one to be resumed: its last checkpoint has the moments
    const ck = this.opts.checkpoint;
    if (ck && this.lastSavedStep !== this.step)
      await this.saveCheckpoint({ optimizer: interrupted || !!ck.everySteps });
    return {
      trainLosses: [...this.trainLosses],
      valLosses: [...this.valLosses],
      tokensSeen: [...this.trackTokensSeen],
      epochsSeen: [...this.epochsSeen],
      evalSteps: [...this.evalSteps],
      steps: this.step,
      interrupted,
      lastCheckpoint: this.lastCheckpoint,
    };
  }

  /** The book's evaluate_model: evalIter batches of each loader in eval mode. */
  async evaluate(step = this.step): Promise<EvalEvent> {
    const { model, trainLoader, valLoader } = this.opts;
    const evalIter = this.opts.evalIter ?? 5;
    // the k-th evaluation reads the train loader in epoch k's order: varied like the book's fresh
    // DataLoader iteration, yet the same after a resume
    const k = this.evalSteps.length;
    const trainBatches = trainLoader.batches
      ? { length: trainLoader.length, [Symbol.iterator]: () => trainLoader.batches!({ epoch: k }) }
      : trainLoader;
    const valBatches = valLoader?.batches
      ? { length: valLoader.length, [Symbol.iterator]: () => valLoader.batches!({ epoch: 0 }) }
      : valLoader;
    const { trainLoss, valLoss } = await (this.opts.exclusive ?? ((work) => work()))(() =>
      evaluateModel(model, trainBatches, valBatches, evalIter, {
        ignoreIndex: this.opts.ignoreIndex,
        lossBatch: this.opts.lossBatch,
      }),
    );
    // NaN is never reported as a result (an empty loader or diverged weights): stop, naming the step
    if (!Number.isFinite(trainLoss))
      throw new NonFiniteLossError(step, 'training evaluation loss', trainLoss);
    if (valBatches && !Number.isFinite(valLoss))
      throw new NonFiniteLossError(step, 'validation loss', valLoss);
    const e: EvalEvent = {
      step,
      epoch: this.epoch + 1,
      epochsSeen: this.step / trainLoader.length,
      tokensSeen: this.tokensSeen,
      trainLoss,
      valLoss,
    };
    this.trainLosses.push(trainLoss);
    this.valLosses.push(valLoss);
    this.trackTokensSeen.push(this.tokensSeen);
    this.epochsSeen.push(e.epochsSeen);
    this.evalSteps.push(step);
    this.emit('eval', e);
    return e;
  }

  /** Everything but the tensors that an exact resume needs. */
  state(): TrainerState {
    return {
      format: 'llmfs-trainer-state',
      version: 1,
      step: this.step,
      epoch: this.epoch,
      batchInEpoch: this.batchInEpoch,
      tokensSeen: this.tokensSeen,
      trainLosses: [...this.trainLosses],
      valLosses: [...this.valLosses],
      trackTokensSeen: [...this.trackTokensSeen],
      epochsSeen: [...this.epochsSeen],
      evalSteps: [...this.evalSteps],
      rngStates: this.rngs.map((r) => r.getState()),
      lr: this.opts.optimizer.lr,
      schedule: this.schedule(),
      batchesPerEpoch: this.opts.trainLoader.length,
      runConfig: this.opts.checkpoint?.runConfig,
    };
  }

  /**
   * Writes a checkpoint (model directory, trainer_state.json, and the optimizer's moments when
   * `optimizer` or the `saveOptimizer` option asks) and prunes old ones.
   */
  async saveCheckpoint(opts: { optimizer?: boolean } = {}): Promise<string> {
    const ck = this.opts.checkpoint;
    if (!ck) throw new TrainerError('Trainer.saveCheckpoint: no checkpoint options were given');
    const withMoments = opts.optimizer || ck.saveOptimizer;
    const moments = withMoments ? this.opts.optimizer.stateDict() : undefined;
    let dir: string;
    try {
      dir = await ck.io.writeCheckpoint(ck.dir, this.step, async (tmp) => {
        await ck.io.saveModel(tmp, this.opts.model);
        if (moments) await ck.io.saveTensors(joinPath(tmp, TRAINING_STATE_FILE), moments);
        await ck.io.writeText(
          joinPath(tmp, TRAINER_STATE_FILE),
          JSON.stringify(this.state(), null, 1) + '\n',
        );
      });
    } finally {
      if (moments) tf.dispose([...moments.values()]);
    }
    await ck.io.pruneCheckpoints(ck.dir, ck.keepLast ?? 2);
    this.lastSavedStep = this.step;
    this.lastCheckpoint = dir;
    this.emit('checkpoint', { step: this.step, dir, optimizer: !!moments });
    return dir;
  }

  /**
   * Restores the optimizer, RNG states, data position and loss history from a checkpoint directory.
   * The model weights are the caller's job (load the same directory's model first).
   */
  async restore(dir: string, io: CheckpointIO): Promise<TrainerState & { optimizerRestored: boolean }> {
    const st = await readTrainerState(dir, io);
    if (st.batchesPerEpoch !== this.opts.trainLoader.length) {
      throw new TrainerCheckpointError(
        `${dir}: saved with ${st.batchesPerEpoch} batches per epoch, this run has ${this.opts.trainLoader.length} (different data or batch settings)`,
      );
    }
    if (st.rngStates.length !== this.rngs.length) {
      throw new TrainerCheckpointError(
        `${dir}: ${st.rngStates.length} saved RNG states, the model has ${this.rngs.length}`,
      );
    }
    // a checkpoint saved without the optimizer's moments (the end of a finished run without
    // saveOptimizer) continues with fresh ones: the caller says so
    const momentsFile = joinPath(dir, TRAINING_STATE_FILE);
    const optimizerRestored = await io.exists(momentsFile);
    if (optimizerRestored) {
      const moments = await io.loadTensors(momentsFile);
      const split: tf.Tensor[] = [];
      try {
        this.opts.optimizer.loadStateDict(splitFusedQkvState(moments, split));
      } finally {
        tf.dispose([...moments.values(), ...split]);
      }
    }
    st.rngStates.forEach((s, i) => this.rngs[i].setState(s));
    this.step = st.step;
    this.epoch = st.epoch;
    this.batchInEpoch = st.batchInEpoch;
    this.tokensSeen = st.tokensSeen;
    for (const [dst, src] of [
      [this.trainLosses, st.trainLosses],
      [this.valLosses, st.valLosses],
      [this.trackTokensSeen, st.trackTokensSeen],
      [this.epochsSeen, st.epochsSeen],
      [this.evalSteps, st.evalSteps],
    ] as const) {
      dst.length = 0;
      dst.push(...src.map((x) => (x === null ? NaN : x)));
    }
    this.lastSavedStep = st.step;
    this.lastCheckpoint = dir;
    return { ...st, optimizerRestored };
  }
}
