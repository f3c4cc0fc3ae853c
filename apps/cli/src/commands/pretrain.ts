// `llmfs pretrain` (book ch05, appendix D): trains a GPT on a text file from scratch or from a model
// directory; writes the model directory, a checkpoint at the end (like the book; more with
// --save-every), loss.svg/loss.png and a JSON log. Ctrl-C finishes the step, saves a resumable
// checkpoint and exits with 130. Paths are checked and the run directory locked before any work; a
// run's stored paths are relative to its run directory. One table (PRETRAIN_FLAGS) holds every flag:
// its option name, help, default and parser.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { createDataLoaderV1, gpt2TokenEncoder, splitTextByRatio, type DataLoader } from '@llmfs/data-loader';
import { GPTModel, GPT_CONFIG_124M, getConfig, type GPTConfig } from '@llmfs/gpt-model';
import {
  configFromHf,
  findResumeCheckpoint,
  gpt2CheckpointIO,
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
  readTrainerState,
  type TrainResult,
} from '@llmfs/trainer';
import { checkInput, checkNotInput, checkOutputDir, checkOutputFile } from '../check-paths.js';
import { UserError, parseNumber, parseSeed, withBackend } from '../common.js';
import { lockJsonLog, openRunDir, runDirOfResume, type RunDir } from '../run-dir.js';
import { onInterrupt } from '../interrupt.js';
import { plotLosses } from '../plot-losses.js';
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
  /** Write the optimizer's moments into the final checkpoint too (resuming a finished run exactly). */
  saveOptimizer?: boolean;
  keepCheckpoints: number;
  startContext: string;
  sampleTokens: number;
}

/** How a flag's text becomes its option value. */
type FlagKind =
  | { kind: 'string' }
  | { kind: 'int' | 'number'; min: number }
  | { kind: 'seed' }
  | { kind: 'switch' }
  | { kind: 'negated' };

/** One row of the flags table: the option it sets, its spelling, help and default (the book's run). */
type FlagSpec = FlagKind & {
  flag: string;
  help: string;
  default?: string | number | boolean;
  /** Kept from the checkpoint on --resume unless given again (default true). */
  resumable?: boolean;
};

/**
 * Every flag of `llmfs pretrain` (but --backend, shared by all commands), keyed by its option. The
 * defaults are the book's chapter 5 notebook run. Commander's options, the parsing, the defaults that
 * the quickstart reuses and the settings a --resume keeps all come from this table.
 */
const PRETRAIN_FLAGS = {
  data: { flag: '--data <file>', help: 'training text (split by characters into train/val)', kind: 'string' },
  model: {
    flag: '--model <dir>',
    help: 'start from this model directory (Hugging Face GPT-2 or OpenAI folder)',
    kind: 'string',
  },
  config: {
    flag: '--config <name|file>',
    help: 'model config for a fresh model: gpt2, gpt2-medium, ... or a JSON file (default: the book GPT_CONFIG_124M, qkv bias off, at context 256)',
    kind: 'string',
  },
  contextLength: {
    flag: '--context-length <n>',
    help: 'tokens per training window (default 256, or the model context if smaller)',
    kind: 'int',
    min: 1,
  },
  batchSize: { flag: '--batch-size <n>', help: 'windows per batch', kind: 'int', min: 1, default: 2 },
  stride: {
    flag: '--stride <n>',
    help: 'step between windows (default: the context length)',
    kind: 'int',
    min: 1,
  },
  epochs: { flag: '--epochs <n>', help: 'passes over the training text', kind: 'int', min: 1, default: 10 },
  maxSteps: { flag: '--max-steps <n>', help: 'stop after this many optimizer steps', kind: 'int', min: 1 },
  lr: { flag: '--lr <x>', help: 'peak learning rate (AdamW)', kind: 'number', min: 0, default: 4e-4 },
  weightDecay: {
    flag: '--weight-decay <x>',
    help: 'AdamW decoupled weight decay',
    kind: 'number',
    min: 0,
    default: 0.1,
  },
  warmupSteps: {
    flag: '--warmup-steps <n>',
    help: 'linear warmup steps, then cosine decay to --min-lr (appendix D)',
    kind: 'int',
    min: 0,
  },
  minLr: {
    flag: '--min-lr <x>',
    help: 'initial and final learning rate of the schedule (default lr/100)',
    kind: 'number',
    min: 0,
  },
  gradClip: {
    flag: '--grad-clip <x>',
    help: 'clip the global gradient norm to this (from the end of warmup)',
    kind: 'number',
    min: 0,
  },
  microBatches: {
    flag: '--micro-batches <k>',
    help: 'split each batch into k passes with accumulated gradients (less memory; default: what the memory plan picks)',
    kind: 'int',
    min: 1,
  },
  dropRate: { flag: '--drop-rate <x>', help: "dropout rate (default: the config's)", kind: 'number', min: 0 },
  shuffle: {
    flag: '--no-shuffle',
    help: 'keep the training windows in order',
    kind: 'negated',
    default: true,
  },
  seed: { flag: '--seed <n>', help: 'seed for init, data order and dropout', kind: 'seed', default: 123 },
  evalFreq: { flag: '--eval-freq <n>', help: 'evaluate every n steps', kind: 'int', min: 0, default: 5 },
  evalIter: { flag: '--eval-iter <n>', help: 'batches per evaluation', kind: 'int', min: 1, default: 5 },
  valRatio: {
    flag: '--val-ratio <x>',
    help: 'share of the text held out for validation',
    kind: 'number',
    min: 0,
    default: 0.1,
  },
  out: {
    flag: '--out <dir>',
    help: 'output directory',
    kind: 'string',
    default: 'runs/pretrain',
    resumable: false,
  },
  resume: {
    flag: '--resume <dir>',
    help: 'continue from the newest complete checkpoint in dir (a run directory or a checkpoint)',
    kind: 'string',
    resumable: false,
  },
  jsonLog: {
    flag: '--json-log <file>',
    help: 'one JSON line per optimizer step and per evaluation',
    kind: 'string',
  },
  overwrite: {
    flag: '--overwrite',
    help: "replace another run's checkpoints and model in --out (else a fresh run refuses them)",
    kind: 'switch',
    resumable: false,
  },
  saveEvery: {
    flag: '--save-every <n>',
    help: 'also save a resumable checkpoint (with the optimizer state) every n steps (default: one checkpoint at the end)',
    kind: 'int',
    min: 1,
  },
  saveOptimizer: {
    flag: '--save-optimizer',
    help: "write AdamW's state into the final checkpoint too, so that --resume of a finished run continues exactly (with --save-every, and after Ctrl-C, every checkpoint holds it)",
    kind: 'switch',
  },
  keepCheckpoints: {
    flag: '--keep-checkpoints <n>',
    help: 'how many checkpoints to keep',
    kind: 'int',
    min: 1,
    default: 2,
  },
  startContext: {
    flag: '--start-context <text>',
    help: 'prompt of the greedy sample after each epoch',
    kind: 'string',
    default: 'Every effort moves you',
  },
} as const satisfies Partial<Record<keyof PretrainOptions, FlagSpec>>;

type FlagKey = keyof typeof PRETRAIN_FLAGS;
const FLAG_ENTRIES = Object.entries(PRETRAIN_FLAGS) as Array<[FlagKey, FlagSpec]>;

/** The options whose table row has a default. */
type DefaultedKey = {
  [K in FlagKey]: (typeof PRETRAIN_FLAGS)[K] extends { default: unknown } ? K : never;
}[FlagKey];

/** Defaults: the book's chapter 5 notebook run (the table's defaults, and the sample length). */
export const PRETRAIN_DEFAULTS = {
  ...(Object.fromEntries(
    FLAG_ENTRIES.filter(([, f]) => f.default !== undefined).map(([k, f]) => [k, f.default]),
  ) as Pick<PretrainOptions, DefaultedKey>),
  sampleTokens: 50,
} satisfies Partial<PretrainOptions>;

/** A flag's value from commander's raw text, parsed as its table row says. */
function parseFlag(f: FlagSpec, raw: unknown): unknown {
  const name = f.flag.split(' ')[0];
  switch (f.kind) {
    case 'int':
    case 'number':
      return parseNumber(name, raw as string | undefined, { integer: f.kind === 'int', min: f.min });
    case 'seed':
      return parseSeed(name, raw as string | undefined);
    case 'switch':
      return raw === true;
    case 'negated':
      return raw !== false;
    default:
      return raw as string | undefined;
  }
}

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
  const resumeDir = o.resume ? await findResumeCheckpoint(o.resume) : undefined;
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
      saveOptimizer: o.saveOptimizer,
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
  if (resumeDir && !(await trainer.restore(resumeDir, gpt2CheckpointIO)).optimizerRestored)
    process.stderr.write(
      `llmfs: ${resumeDir} holds no optimizer state (a finished run saved without --save-optimizer): AdamW's moments start from zero\n`,
    );

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

  const offInterrupt = onInterrupt(
    () => trainer.requestStop(),
    'stopping after this step and saving a checkpoint',
  );
  let result: TrainResult;
  try {
    result = await trainer.run();
  } finally {
    offInterrupt();
    close();
    if (logFd !== undefined) fs.closeSync(logFd);
  }
  if (!result.interrupted) await saveModelDirectory(o.out, model);
  let plot: { svg: string; png: string } | undefined;
  if (result.trainLosses.length) plot = await plotLosses(o.out, result);
  return { ...result, out: o.out, cfg: model.cfg, plot };
}

/** Option names whose values are kept from the checkpoint on --resume unless given again. */
const RESUMABLE_KEYS: ReadonlyArray<keyof PretrainOptions> = [
  ...FLAG_ENTRIES.filter(([, f]) => f.resumable !== false).map(([k]) => k),
  'backend',
];

/** The type a resumed setting must have (what the flag parser makes). */
function typeOfSetting(k: keyof PretrainOptions): string {
  if (k === 'backend') return 'string';
  const f: FlagSpec = PRETRAIN_FLAGS[k as FlagKey];
  return f.kind === 'string' ? 'string' : f.kind === 'switch' || f.kind === 'negated' ? 'boolean' : 'number';
}

/**
 * The options of a resumed run: the checkpoint's settings, overridden only by flags given on this
 * command line; its stored paths are relative to the run directory it sits in.
 */
async function resumedOptions(
  o: PretrainOptions,
  runDir: string,
  sourceOf: (key: string) => string | undefined,
): Promise<PretrainOptions> {
  const ck = await findResumeCheckpoint(o.resume!);
  const saved = ((await readTrainerState(ck, gpt2CheckpointIO)).runConfig ?? {}) as Partial<
    Record<keyof PretrainOptions, unknown>
  >;
  for (const k of ['data', 'jsonLog'] as const)
    if (typeof saved[k] === 'string') saved[k] = path.resolve(runDir, saved[k] as string);
  for (const k of ['model', 'config'] as const) {
    const v = saved[k];
    if (typeof v === 'string' && fs.existsSync(path.resolve(runDir, v))) saved[k] = path.resolve(runDir, v);
  }
  const merged: Record<string, unknown> = { ...o };
  for (const k of RESUMABLE_KEYS) {
    const source = sourceOf(k);
    if (source === 'cli' || source === 'env' || !(k in saved)) continue;
    // a hand-edited state must not smuggle in a value the flag parser would refuse
    if (typeof saved[k] !== typeOfSetting(k) && saved[k] !== undefined && saved[k] !== null)
      throw new UserError(
        `${path.join(ck, TRAINER_STATE_FILE)}: runConfig.${k} must be a ${typeOfSetting(k)}, got ${JSON.stringify(saved[k])}`,
      );
    merged[k] = saved[k] ?? undefined;
  }
  if (typeof merged.data !== 'string')
    throw new UserError('--data: required (the checkpoint names no data file)');
  return merged as unknown as PretrainOptions;
}

/** Registers `llmfs pretrain`. */
export function register(program: Command): void {
  const cmd = program
    .command('pretrain')
    .description(
      'pretrain a GPT on a text file (book ch. 5); writes a model directory, a checkpoint and loss.svg/png',
    );
  for (const [, f] of FLAG_ENTRIES) {
    // a switch's default (false) and a --no- flag's (true) are implied; others show theirs in --help
    const shown = f.kind === 'switch' || f.kind === 'negated' ? undefined : f.default;
    if (shown === undefined) cmd.option(f.flag, f.help);
    else cmd.option(f.flag, f.help, String(shown));
  }
  withBackend(cmd);
  cmd.action(async (raw: Record<string, string | boolean | undefined>) => {
    let held: RunDir | undefined;
    const parsed = Object.fromEntries(FLAG_ENTRIES.map(([k, f]) => [k, parseFlag(f, raw[k])]));
    let o = {
      ...parsed,
      backend: raw.backend as string | undefined,
      sampleTokens: PRETRAIN_DEFAULTS.sampleTokens,
    } as PretrainOptions;
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
      if (runDir) o = await resumedOptions(o, runDir, (k) => cmd.getOptionValueSource(k));
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
