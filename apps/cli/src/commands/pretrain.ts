// `llmfs pretrain` (book ch05, appendix D): trains a GPT on a text file from scratch or from a model
// directory; writes the model directory, checkpoints with exact-resume state, loss.svg/loss.png and a
// JSON log. Ctrl-C finishes the step, saves a checkpoint and exits with 130. Paths are checked and the
// run directory locked before any work; a run's stored paths are relative to its run directory.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { createDataLoaderV1, gpt2TokenEncoder, splitTextByRatio, type DataLoader } from '@llmfs/data-loader';
import { GPTModel, GPT_CONFIG_124M, getConfig, type GPTConfig } from '@llmfs/gpt-model';
import {
  configFromHf,
  loadModelDirectory,
  openWeightSource,
  saveModelDirectory,
  type FileLock,
} from '@llmfs/gpt2-weights';
import { Rng, createParameters, initBackend, type MemoryPlan } from '@llmfs/nn';
import { planModelTraining, trainingPlacement, type PlanShape } from '../memory-plan.js';
import {
  AdamW,
  Trainer,
  TRAINER_STATE_FILE,
  collectRngs,
  findResumeCheckpoint,
  readTrainerState,
  type TrainResult,
} from '@llmfs/trainer';
import { checkInput, checkNotInput, checkOutputDir, checkOutputFile } from '../check-paths.js';
import { UserError, parseNumber, parseSeed, withBackend } from '../common.js';
import { lockJsonLog, openRunDir, runDirOfResume, type RunDir } from '../run-dir.js';
import { plotLosses } from '../plot-losses.js';
import { gpt2CheckpointIO } from './pretrain-io.js';
import { attachProgress } from './pretrain-progress.js';

/** Every setting of a pretraining run (the flags, resolved); stored in checkpoints for --resume. */
export interface PretrainOptions {
  data: string;
  model?: string;
  config?: string;
  /** A config given as data (the quickstart); wins over `config`. */
  modelConfig?: GPTConfig;
  contextLength?: number;
  batchSize: number;
  stride?: number;
  epochs: number;
  maxSteps?: number;
  lr: number;
  weightDecay: number;
  warmupSteps?: number;
  minLr?: number;
  gradClip?: number;
  /** Passes per batch with accumulated gradients (memory), see Trainer's `microBatches`. */
  microBatches?: number;
  dropRate?: number;
  shuffle: boolean;
  seed: number;
  evalFreq: number;
  evalIter: number;
  valRatio: number;
  out: string;
  resume?: string;
  /** Replace another run's checkpoints and model in `out` (a fresh run refuses them otherwise). */
  overwrite?: boolean;
  backend?: string;
  jsonLog?: string;
  saveEvery?: number;
  keepCheckpoints: number;
  startContext: string;
  sampleTokens: number;
}

/** Defaults: the book's chapter 5 notebook run. */
export const PRETRAIN_DEFAULTS = {
  batchSize: 2,
  epochs: 10,
  lr: 4e-4,
  weightDecay: 0.1,
  shuffle: true,
  seed: 123,
  evalFreq: 5,
  evalIter: 5,
  valRatio: 0.1,
  out: 'runs/pretrain',
  keepCheckpoints: 2,
  startContext: 'Every effort moves you',
  sampleTokens: 50,
} satisfies Partial<PretrainOptions>;

/** Hooks for callers that drive a run (the quickstart) instead of the terminal display. */
export interface PretrainHooks {
  /** Called with the trainer before it runs (subscribe to events here). */
  onTrainer?: (trainer: Trainer, info: { cfg: GPTConfig; totalSteps: number; trainBatches: number }) => void;
  /** Replaces the built-in progress display. */
  quiet?: boolean;
  log?: (line: string) => void;
  /** The run directory, already opened (locked) by the caller; opened here otherwise. */
  runDir?: RunDir;
}

/** What a run leaves behind. */
export interface PretrainSummary extends TrainResult {
  out: string;
  cfg: GPTConfig;
  plot?: { svg: string; png: string };
}

function readConfigArg(arg: string): GPTConfig {
  if (!fs.existsSync(arg)) {
    try {
      return getConfig(arg);
    } catch {
      throw new UserError(`--config ${arg}: no such file, and not a config name (gpt2, gpt2-medium, ...)`);
    }
  }
  checkInput('--config', arg, 'file');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(arg, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`--config ${arg}: ${(err as Error).message}`);
  }
  if ('n_embd' in json) return configFromHf(json, arg);
  const keys = ['vocabSize', 'contextLength', 'embDim', 'nHeads', 'nLayers', 'dropRate', 'qkvBias'] as const;
  for (const k of keys)
    if (!(k in json))
      throw new UserError(`--config ${arg}: missing key '${k}' (or give a Hugging Face config.json)`);
  return Object.fromEntries(keys.map((k) => [k, json[k]])) as unknown as GPTConfig;
}

/**
 * The model's config and the training context length, before any weight is read: from the checkpoint
 * being resumed, from --model's headers, from --config, or the book's GPT-2 124M config at context 256.
 */
async function planModel(
  o: PretrainOptions,
  resumeDir: string | undefined,
): Promise<{ cfg: GPTConfig; contextLength: number; from?: string }> {
  if (o.model && o.config && !resumeDir) throw new UserError('--model and --config: give one of them');
  const from = resumeDir ?? o.model;
  if (from) {
    const src = await openWeightSource(from); // headers only
    await src.close();
    const cfg = { ...src.cfg, ...(o.dropRate !== undefined && !resumeDir ? { dropRate: o.dropRate } : {}) };
    const t = o.contextLength ?? (resumeDir ? cfg.contextLength : Math.min(256, cfg.contextLength));
    if (t > cfg.contextLength)
      throw new UserError(`--context-length ${t}: the model's context length is ${cfg.contextLength}`);
    return { cfg, contextLength: t, from };
  }
  const cfg = { ...(o.modelConfig ?? (o.config ? readConfigArg(o.config) : GPT_CONFIG_124M)) };
  // as the help says: 256, or the config's own context length if that is smaller
  cfg.contextLength =
    o.contextLength ?? (o.modelConfig ? cfg.contextLength : Math.min(256, cfg.contextLength));
  if (o.dropRate !== undefined) cfg.dropRate = o.dropRate;
  return { cfg, contextLength: cfg.contextLength };
}

/** The batch shape the memory plan is made for. */
function planShape(o: PretrainOptions, contextLength: number): PlanShape {
  return { batchSize: o.batchSize, seqLen: contextLength, microBatches: o.microBatches };
}

/** Builds the planned model: loaded from a directory, or fresh from the config. */
async function buildModel(
  o: PretrainOptions,
  plan: Awaited<ReturnType<typeof planModel>>,
  resuming: boolean,
): Promise<GPTModel> {
  // made where the memory plan wants it: in host memory when the step will stream the model
  const placement = trainingPlacement(plan.cfg, planShape(o, plan.contextLength));
  if (!plan.from) return createParameters(placement, () => new GPTModel(plan.cfg, { seed: o.seed }));
  const overrides = o.dropRate !== undefined && !resuming ? { dropRate: o.dropRate } : {};
  const { model } = await loadModelDirectory(plan.from, { cfgOverrides: overrides, placement });
  // dropout masks follow --seed, as a fresh model's would (a resume restores them from the checkpoint)
  if (!resuming) for (const r of collectRngs(model)) r.setState(new Rng(o.seed).getState());
  return model;
}

/** Windows of `contextLength` + 1 tokens at `stride` in `n` tokens (the book's GPTDatasetV1). */
const windowsIn = (n: number, contextLength: number, stride: number) =>
  n <= contextLength ? 0 : Math.ceil((n - contextLength) / stride);

/**
 * The book's loaders over a character split of --data. Too little text for one training batch or for
 * one validation window stops here, naming the flags to change (no run with zero batches or NaN losses).
 */
function makeLoaders(o: PretrainOptions, contextLength: number): { train: DataLoader; val?: DataLoader } {
  const text = fs.readFileSync(o.data, 'utf8');
  if (!text.length) throw new UserError(`--data ${o.data}: the file is empty`);
  const stride = o.stride ?? contextLength;
  const [trainText, valText] = o.valRatio > 0 ? splitTextByRatio(text, 1 - o.valRatio) : [text, ''];
  const encode = (t: string) => (t.length ? gpt2TokenEncoder.encode(t) : []);
  const trainIds = encode(trainText);
  const trainWindows = windowsIn(trainIds.length, contextLength, stride);
  if (trainWindows < o.batchSize)
    throw new UserError(
      `--data ${o.data}: the training split holds ${trainIds.length} tokens, ${trainWindows} window${trainWindows === 1 ? '' : 's'} of --context-length ${contextLength} (+1) at --stride ${stride}, fewer than --batch-size ${o.batchSize}; lower --batch-size or --context-length, or give more text`,
    );
  const common = { batchSize: o.batchSize, maxLength: contextLength, stride };
  const train = createDataLoaderV1(trainIds, { ...common, shuffle: o.shuffle, dropLast: true, seed: o.seed });
  if (o.valRatio === 0) return { train };
  const valIds = encode(valText);
  if (windowsIn(valIds.length, contextLength, stride) === 0)
    throw new UserError(
      `--val-ratio ${o.valRatio}: the validation split holds ${valIds.length} tokens, fewer than one window of --context-length ${contextLength} (+1); raise --val-ratio, lower --context-length, or pass --val-ratio 0 to train without validation`,
    );
  return { train, val: createDataLoaderV1(valIds, { ...common, shuffle: false, dropLast: false }) };
}

/** Checks every path of a run before any work (see check-paths.ts). */
function checkPaths(o: PretrainOptions, resuming: boolean): void {
  checkInput('--data', o.data, 'file');
  if (o.model && !resuming) checkInput('--model', o.model, 'dir');
  checkOutputDir('--out', o.out);
  if (o.jsonLog) {
    checkOutputFile('--json-log', o.jsonLog);
    checkNotInput('--json-log', o.jsonLog, '--data', o.data);
  }
}

/** A path stored in the run state: relative to the run directory, so that a copied run works where it is. */
function toRunRelative(out: string, p: string): string {
  return path.relative(path.resolve(out), path.resolve(p)) || '.';
}

/** Runs a pretraining job (the body of `llmfs pretrain`, also used by the quickstart). */
export async function runPretrain(
  opts: PretrainOptions,
  hooks: PretrainHooks = {},
): Promise<PretrainSummary> {
  const write = hooks.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const o = opts;
  checkPaths(o, !!o.resume);
  const runDir =
    hooks.runDir ??
    (await openRunDir(o.out, {
      fresh: !o.resume || path.resolve(runDirOfResume(o.resume)) !== path.resolve(o.out),
      overwrite: o.overwrite,
      log: (line) => process.stderr.write(line + '\n'),
    }));
  let logLock: FileLock | undefined;
  try {
    if (o.jsonLog) logLock = await lockJsonLog(o.jsonLog);
    return await runLocked(o, hooks, write);
  } finally {
    logLock?.release();
    if (!hooks.runDir) runDir.release();
  }
}

async function runLocked(
  o: PretrainOptions,
  hooks: PretrainHooks,
  write: (line: string) => void,
): Promise<PretrainSummary> {
  const resumeDir = o.resume ? findResumeCheckpoint(o.resume) : undefined;
  // the data is checked before the backend starts and before any weight is allocated
  const plan = await planModel(o, resumeDir);
  const { contextLength } = plan;
  const { train, val } = makeLoaders(o, contextLength);
  await initBackend(o.backend, { log: (line) => process.stderr.write(line + '\n') });
  const model = await buildModel(o, plan, !!resumeDir);
  // what the backend's memory holds: decided once, before the first step (printed on stderr)
  let memoryPlan: MemoryPlan;
  try {
    memoryPlan = planModelTraining(model, planShape(o, contextLength), (line) =>
      process.stderr.write(line + '\n'),
    );
  } catch (err) {
    model.dispose();
    throw err;
  }
  const optimizer = new AdamW(model.trainableParameters(), { lr: o.lr, weightDecay: o.weightDecay });
  try {
    return await trainModel(o, hooks, write, {
      model,
      optimizer,
      train,
      val,
      contextLength,
      resumeDir,
      memoryPlan,
    });
  } finally {
    // also when the run fails: the weights live in the backend's memory, not in JavaScript's
    optimizer.dispose();
    model.dispose();
  }
}

/** Trains the built model, then saves the model directory and the loss plot. */
async function trainModel(
  o: PretrainOptions,
  hooks: PretrainHooks,
  write: (line: string) => void,
  r: {
    model: GPTModel;
    optimizer: AdamW;
    train: DataLoader;
    val?: DataLoader;
    contextLength: number;
    resumeDir?: string;
    memoryPlan: MemoryPlan;
  },
): Promise<PretrainSummary> {
  const { model, optimizer, train, val, contextLength, resumeDir, memoryPlan } = r;
  const scheduled = o.warmupSteps !== undefined || o.minLr !== undefined;
  const minLr = o.minLr ?? o.lr / 100;
  const tokenizer = getEncoding('gpt2');
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader: train,
    valLoader: val,
    numEpochs: o.epochs,
    maxSteps: o.maxSteps,
    evalFreq: o.evalFreq,
    evalIter: o.evalIter,
    schedule: scheduled
      ? { peakLr: o.lr, initialLr: minLr, minLr, warmupSteps: o.warmupSteps ?? 0 }
      : undefined,
    gradClip: o.gradClip !== undefined ? { maxNorm: o.gradClip, fromStep: o.warmupSteps ?? 0 } : undefined,
    microBatches: o.microBatches,
    memoryPlan,
    startContext: o.startContext,
    tokenizer,
    sampleTokens: o.sampleTokens,
    contextSize: contextLength,
    checkpoint: {
      dir: path.join(o.out, 'checkpoints'),
      io: gpt2CheckpointIO,
      everySteps: o.saveEvery,
      keepLast: o.keepCheckpoints,
      // paths relative to the run directory: a copied run resumes where it is
      runConfig: {
        ...o,
        resume: undefined,
        overwrite: undefined,
        out: '.',
        data: toRunRelative(o.out, o.data),
        jsonLog: o.jsonLog && toRunRelative(o.out, o.jsonLog),
        model: o.model && fs.existsSync(o.model) ? toRunRelative(o.out, o.model) : o.model,
        config: o.config && fs.existsSync(o.config) ? toRunRelative(o.out, o.config) : o.config,
      },
    },
  });
  if (resumeDir) await trainer.restore(resumeDir, gpt2CheckpointIO);

  let logFd: number | undefined;
  if (o.jsonLog) {
    // a fresh run starts the log anew; lines are appended, each in one write (never a torn line)
    if (!resumeDir) fs.writeFileSync(o.jsonLog, '');
    logFd = fs.openSync(o.jsonLog, 'a');
    const fd = logFd;
    const line = (value: unknown) => fs.writeSync(fd, Buffer.from(JSON.stringify(value) + '\n'));
    trainer.on('step', (e) =>
      line({
        step: e.step,
        epoch: e.epoch,
        tokensSeen: e.tokensSeen,
        loss: e.loss,
        lr: e.lr,
        stepMs: e.stepMs,
      }),
    );
    trainer.on('eval', (e) =>
      line({
        step: e.step,
        trainLoss: e.trainLoss,
        valLoss: Number.isFinite(e.valLoss) ? e.valLoss : null,
      }),
    );
  }
  hooks.onTrainer?.(trainer, {
    cfg: model.cfg,
    totalSteps: trainer.totalSteps(),
    trainBatches: train.length,
  });
  const close = hooks.quiet
    ? () => undefined
    : attachProgress(trainer, { tty: !!process.stdout.isTTY, total: trainer.totalSteps(), write });

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      '\nllmfs: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)\n',
    );
    trainer.requestStop();
  };
  process.on('SIGINT', onSigint);
  let result: TrainResult;
  try {
    result = await trainer.run();
  } finally {
    process.off('SIGINT', onSigint);
    close();
    if (logFd !== undefined) fs.closeSync(logFd);
  }
  if (!result.interrupted) await saveModelDirectory(o.out, model);
  let plot: { svg: string; png: string } | undefined;
  if (result.trainLosses.length) plot = await plotLosses(o.out, result);
  return { ...result, out: o.out, cfg: model.cfg, plot };
}

/** Option names whose values are kept from the checkpoint on --resume unless given again. */
const FLAG_KEYS = [
  'data',
  'model',
  'config',
  'contextLength',
  'batchSize',
  'stride',
  'epochs',
  'maxSteps',
  'lr',
  'weightDecay',
  'warmupSteps',
  'minLr',
  'gradClip',
  'microBatches',
  'dropRate',
  'shuffle',
  'seed',
  'evalFreq',
  'evalIter',
  'valRatio',
  'out',
  'backend',
  'jsonLog',
  'saveEvery',
  'keepCheckpoints',
  'startContext',
  'sampleTokens',
] as const satisfies ReadonlyArray<keyof PretrainOptions>;

/**
 * The options of a resumed run: the checkpoint's settings, overridden only by flags given on this
 * command line; its stored paths are relative to the run directory it sits in.
 */
function resumedOptions(
  o: PretrainOptions,
  runDir: string,
  sourceOf: (key: string) => string | undefined,
): PretrainOptions {
  const ck = findResumeCheckpoint(o.resume!);
  const saved = (readTrainerState(ck).runConfig ?? {}) as Partial<Record<keyof PretrainOptions, unknown>>;
  for (const k of ['data', 'jsonLog'] as const)
    if (typeof saved[k] === 'string') saved[k] = path.resolve(runDir, saved[k] as string);
  for (const k of ['model', 'config'] as const) {
    const v = saved[k];
    if (typeof v === 'string' && fs.existsSync(path.resolve(runDir, v))) saved[k] = path.resolve(runDir, v);
  }
  const merged: Record<string, unknown> = { ...o };
  for (const k of FLAG_KEYS) {
    if (k === 'out') continue;
    const source = sourceOf(k);
    if (source === 'cli' || source === 'env' || !(k in saved)) continue;
    // a hand-edited state must not smuggle in a value the flag parser would refuse
    if (typeof saved[k] !== typeof PRETRAIN_TYPES[k] && saved[k] !== undefined && saved[k] !== null)
      throw new UserError(
        `${path.join(ck, TRAINER_STATE_FILE)}: runConfig.${k} must be a ${typeof PRETRAIN_TYPES[k]}, got ${JSON.stringify(saved[k])}`,
      );
    merged[k] = saved[k] ?? undefined;
  }
  if (typeof merged.data !== 'string')
    throw new UserError('--data: required (the checkpoint names no data file)');
  return merged as unknown as PretrainOptions;
}

/** One example value per option, for the type check of a resumed run's settings. */
const PRETRAIN_TYPES: Record<(typeof FLAG_KEYS)[number], unknown> = {
  data: '',
  model: '',
  config: '',
  contextLength: 0,
  batchSize: 0,
  stride: 0,
  epochs: 0,
  maxSteps: 0,
  lr: 0,
  weightDecay: 0,
  warmupSteps: 0,
  minLr: 0,
  gradClip: 0,
  microBatches: 0,
  dropRate: 0,
  shuffle: true,
  seed: 0,
  evalFreq: 0,
  evalIter: 0,
  valRatio: 0,
  out: '',
  backend: '',
  jsonLog: '',
  saveEvery: 0,
  keepCheckpoints: 0,
  startContext: '',
  sampleTokens: 0,
};

/** Registers `llmfs pretrain`. */
export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description(
      'pretrain a GPT on a text file (book ch. 5); writes a model directory, checkpoints and loss.svg/png',
    )
    .option('--data <file>', 'training text (split by characters into train/val)')
    .option('--model <dir>', 'start from this model directory (Hugging Face GPT-2 or OpenAI folder)')
    .option(
      '--config <name|file>',
      'model config for a fresh model: gpt2, gpt2-medium, ... or a JSON file (default: the book GPT_CONFIG_124M, qkv bias off, at context 256)',
    )
    .option(
      '--context-length <n>',
      'tokens per training window (default 256, or the model context if smaller)',
    )
    .option('--batch-size <n>', 'windows per batch', '2')
    .option('--stride <n>', 'step between windows (default: the context length)')
    .option('--epochs <n>', 'passes over the training text', '10')
    .option('--max-steps <n>', 'stop after this many optimizer steps')
    .option('--lr <x>', 'peak learning rate (AdamW)', '4e-4')
    .option('--weight-decay <x>', 'AdamW decoupled weight decay', '0.1')
    .option('--warmup-steps <n>', 'linear warmup steps, then cosine decay to --min-lr (appendix D)')
    .option('--min-lr <x>', 'initial and final learning rate of the schedule (default lr/100)')
    .option('--grad-clip <x>', 'clip the global gradient norm to this (from the end of warmup)')
    .option(
      '--micro-batches <k>',
      'split each batch into k passes with accumulated gradients (less memory; GPT-2 124M at batch 2, context 256 needs 2 on wasm)',
    )
    .option('--drop-rate <x>', "dropout rate (default: the config's)")
    .option('--no-shuffle', 'keep the training windows in order')
    .option('--seed <n>', 'seed for init, data order and dropout', '123')
    .option('--eval-freq <n>', 'evaluate every n steps', '5')
    .option('--eval-iter <n>', 'batches per evaluation', '5')
    .option('--val-ratio <x>', 'share of the text held out for validation', '0.1')
    .option('--out <dir>', 'output directory', PRETRAIN_DEFAULTS.out)
    .option(
      '--resume <dir>',
      'continue from the newest complete checkpoint in dir (a run directory or a checkpoint)',
    )
    .option('--json-log <file>', 'one JSON line per optimizer step and per evaluation')
    .option(
      '--overwrite',
      "replace another run's checkpoints and model in --out (else a fresh run refuses them)",
    )
    .option('--save-every <n>', 'also save a checkpoint every n steps (default: each epoch and at the end)')
    .option('--keep-checkpoints <n>', 'how many checkpoints to keep', '2')
    .option(
      '--start-context <text>',
      'prompt of the greedy sample after each epoch',
      PRETRAIN_DEFAULTS.startContext,
    );
  withBackend(cmd);
  cmd.action(async (raw: Record<string, string | boolean | undefined>) => {
    const int = (flag: string, v: unknown, min = 0) =>
      parseNumber(flag, v as string | undefined, { integer: true, min });
    const num = (flag: string, v: unknown, min?: number) =>
      parseNumber(flag, v as string | undefined, { min });
    let held: RunDir | undefined;
    let o: PretrainOptions = {
      data: raw.data as string,
      model: raw.model as string | undefined,
      config: raw.config as string | undefined,
      contextLength: int('--context-length', raw.contextLength, 1),
      batchSize: int('--batch-size', raw.batchSize, 1)!,
      stride: int('--stride', raw.stride, 1),
      epochs: int('--epochs', raw.epochs, 1)!,
      maxSteps: int('--max-steps', raw.maxSteps, 1),
      lr: num('--lr', raw.lr, 0)!,
      weightDecay: num('--weight-decay', raw.weightDecay, 0)!,
      warmupSteps: int('--warmup-steps', raw.warmupSteps, 0),
      minLr: num('--min-lr', raw.minLr, 0),
      gradClip: num('--grad-clip', raw.gradClip, 0),
      microBatches: int('--micro-batches', raw.microBatches, 1),
      dropRate: num('--drop-rate', raw.dropRate, 0),
      shuffle: raw.shuffle !== false,
      seed: parseSeed('--seed', raw.seed as string | undefined)!,
      evalFreq: int('--eval-freq', raw.evalFreq, 0)!,
      evalIter: int('--eval-iter', raw.evalIter, 1)!,
      valRatio: num('--val-ratio', raw.valRatio, 0)!,
      out: raw.out as string,
      resume: raw.resume as string | undefined,
      overwrite: raw.overwrite === true,
      backend: raw.backend as string | undefined,
      jsonLog: raw.jsonLog as string | undefined,
      saveEvery: int('--save-every', raw.saveEvery, 1),
      keepCheckpoints: int('--keep-checkpoints', raw.keepCheckpoints, 1)!,
      startContext: raw.startContext as string,
      sampleTokens: PRETRAIN_DEFAULTS.sampleTokens,
    };
    if (o.dropRate !== undefined && o.dropRate >= 1)
      throw new UserError(`--drop-rate: expected a number in [0, 1), got ${o.dropRate}`);
    if (o.microBatches !== undefined && o.batchSize % o.microBatches !== 0)
      throw new UserError(`--micro-batches: ${o.microBatches} does not divide --batch-size ${o.batchSize}`);
    if (o.valRatio >= 1) throw new UserError(`--val-ratio: expected a number in [0, 1), got ${o.valRatio}`);
    let runDir: string | undefined;
    if (o.resume) {
      checkInput('--resume', o.resume, 'dir');
      // the run directory is locked before its checkpoints are read (another run may be pruning them)
      runDir = runDirOfResume(o.resume);
      if (cmd.getOptionValueSource('out') !== 'cli') o.out = runDir;
      checkOutputDir('--out', o.out);
      held = await openRunDir(o.out, {
        fresh: path.resolve(runDir) !== path.resolve(o.out),
        overwrite: o.overwrite,
        resumeHint: o.resume,
        log: (line) => process.stderr.write(line + '\n'),
      });
    } else if (!o.data) {
      throw new UserError('--data: required (the training text), unless --resume is given');
    }
    let r: PretrainSummary;
    try {
      if (runDir) o = resumedOptions(o, runDir, (k) => cmd.getOptionValueSource(k));
      r = await runPretrain(o, { runDir: held });
    } finally {
      held?.release();
    }
    if (r.interrupted) {
      process.stdout.write(
        `interrupted after step ${r.steps}; resume with: llmfs pretrain --resume ${o.out}\n`,
      );
      process.exitCode = 130;
      return;
    }
    process.stdout.write(`model directory: ${o.out}${r.plot ? ` (loss plot: ${r.plot.png})` : ''}\n`);
  });
}
