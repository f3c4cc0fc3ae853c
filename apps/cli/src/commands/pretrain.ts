// `llmfs pretrain` (book ch05, appendix D): trains a GPT on a text file from scratch or from a model
// directory; writes the model directory, checkpoints with exact-resume state, loss.svg/loss.png and a
// JSON log. Ctrl-C finishes the step, saves a checkpoint and exits with 130.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { createDataLoaderV1, splitTextByRatio, type DataLoader } from '@llmfs/data-loader';
import { GPTModel, GPT_CONFIG_124M, getConfig, type GPTConfig } from '@llmfs/gpt-model';
import { configFromHf, loadModelDirectory, saveModelDirectory } from '@llmfs/gpt2-weights';
import { Rng, createParameters, initBackend } from '@llmfs/nn';
import { planModelTraining, trainingPlacement, type PlanShape } from '../memory-plan.js';
import {
  AdamW,
  Trainer,
  TRAINER_STATE_FILE,
  collectRngs,
  findResumeCheckpoint,
  type TrainerState,
  type TrainResult,
} from '@llmfs/trainer';
import { UserError, parseNumber, withBackend } from '../common.js';
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
}

/** What a run leaves behind. */
export interface PretrainSummary extends TrainResult {
  out: string;
  cfg: GPTConfig;
  plot?: { svg: string; png: string };
}

function readConfigArg(arg: string): GPTConfig {
  if (!fs.existsSync(arg)) return getConfig(arg);
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

/** Builds the model: from --model, from --config, or the book's GPT-2 124M config at context 256. */
async function buildModel(o: PretrainOptions): Promise<{ model: GPTModel; contextLength: number }> {
  if (o.model && o.config) throw new UserError('--model and --config: give one of them');
  if (o.model) {
    if (!fs.existsSync(o.model)) throw new UserError(`--model ${o.model}: no such directory`);
    const overrides = o.dropRate !== undefined ? { dropRate: o.dropRate } : {};
    const { model, cfg } = await loadModelDirectory(o.model, {
      cfgOverrides: overrides,
      placement: (c) => trainingPlacement(c, planShape(o, Math.min(256, c.contextLength))),
    });
    // dropout masks follow --seed, as a fresh model's would
    for (const r of collectRngs(model)) r.setState(new Rng(o.seed).getState());
    const t = o.contextLength ?? Math.min(256, cfg.contextLength);
    if (t > cfg.contextLength)
      throw new UserError(`--context-length ${t}: the model's context length is ${cfg.contextLength}`);
    return { model, contextLength: t };
  }
  const cfg = { ...(o.modelConfig ?? (o.config ? readConfigArg(o.config) : GPT_CONFIG_124M)) };
  cfg.contextLength = o.contextLength ?? (o.modelConfig ? cfg.contextLength : 256);
  if (o.dropRate !== undefined) cfg.dropRate = o.dropRate;
  const placement = trainingPlacement(cfg, planShape(o, cfg.contextLength));
  const model = createParameters(placement, () => new GPTModel(cfg, { seed: o.seed }));
  return { model, contextLength: cfg.contextLength };
}

/** The batch shape the memory plan is made for. */
function planShape(o: PretrainOptions, contextLength: number): PlanShape {
  return { batchSize: o.batchSize, seqLen: o.contextLength ?? contextLength, microBatches: o.microBatches };
}

function makeLoaders(o: PretrainOptions, contextLength: number): { train: DataLoader; val?: DataLoader } {
  if (!fs.existsSync(o.data)) throw new UserError(`--data ${o.data}: no such file`);
  const text = fs.readFileSync(o.data, 'utf8');
  if (!text.length) throw new UserError(`--data ${o.data}: the file is empty`);
  const stride = o.stride ?? contextLength;
  const [trainText, valText] = o.valRatio > 0 ? splitTextByRatio(text, 1 - o.valRatio) : [text, ''];
  const common = { batchSize: o.batchSize, maxLength: contextLength, stride };
  const train = createDataLoaderV1(trainText, {
    ...common,
    shuffle: o.shuffle,
    dropLast: true,
    seed: o.seed,
  });
  let val: DataLoader | undefined;
  if (valText.length) {
    try {
      val = createDataLoaderV1(valText, { ...common, shuffle: false, dropLast: false });
    } catch {
      val = undefined; // too little validation text for one window: no validation loss
    }
  }
  return { train, val };
}

/** Runs a pretraining job (the body of `llmfs pretrain`, also used by the quickstart). */
export async function runPretrain(
  opts: PretrainOptions,
  hooks: PretrainHooks = {},
): Promise<PretrainSummary> {
  const write = hooks.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const o = opts;
  const resumeDir = o.resume ? findResumeCheckpoint(o.resume) : undefined;
  await initBackend(o.backend, { log: (line) => process.stderr.write(line + '\n') });

  let model: GPTModel;
  let contextLength: number;
  if (resumeDir) {
    ({ model } = await loadModelDirectory(resumeDir, {
      placement: (c) => trainingPlacement(c, planShape(o, c.contextLength)),
    }));
    contextLength = o.contextLength ?? model.cfg.contextLength;
  } else {
    ({ model, contextLength } = await buildModel(o));
  }
  const { train, val } = makeLoaders(o, contextLength);
  // what the backend's memory holds: decided once, before the first step (printed on stderr)
  const memoryPlan = planModelTraining(model, planShape(o, contextLength), (line) =>
    process.stderr.write(line + '\n'),
  );
  const optimizer = new AdamW(model.trainableParameters(), { lr: o.lr, weightDecay: o.weightDecay });
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
      runConfig: { ...o, resume: undefined, data: path.resolve(o.data), out: path.resolve(o.out) },
    },
  });
  if (resumeDir) await trainer.restore(resumeDir, gpt2CheckpointIO);

  fs.mkdirSync(o.out, { recursive: true });
  let logFd: number | undefined;
  if (o.jsonLog) {
    logFd = fs.openSync(o.jsonLog, resumeDir ? 'a' : 'w');
    const fd = logFd;
    trainer.on('step', (e) =>
      fs.writeSync(
        fd,
        JSON.stringify({
          step: e.step,
          epoch: e.epoch,
          tokensSeen: e.tokensSeen,
          loss: e.loss,
          lr: e.lr,
          stepMs: e.stepMs,
        }) + '\n',
      ),
    );
    trainer.on('eval', (e) =>
      fs.writeSync(
        fd,
        JSON.stringify({
          step: e.step,
          trainLoss: e.trainLoss,
          valLoss: Number.isFinite(e.valLoss) ? e.valLoss : null,
        }) + '\n',
      ),
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
  optimizer.dispose();
  const summary: PretrainSummary = { ...result, out: o.out, cfg: model.cfg, plot };
  model.dispose();
  return summary;
}

/** Option names whose values are kept from the checkpoint on --resume unless given again. */
const FLAG_KEYS: Array<keyof PretrainOptions> = [
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
];

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
      seed: int('--seed', raw.seed)!,
      evalFreq: int('--eval-freq', raw.evalFreq, 0)!,
      evalIter: int('--eval-iter', raw.evalIter, 1)!,
      valRatio: num('--val-ratio', raw.valRatio, 0)!,
      out: raw.out as string,
      resume: raw.resume as string | undefined,
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
    if (o.resume) {
      // the checkpoint's settings, overridden only by flags given on this command line
      const ck = findResumeCheckpoint(o.resume);
      const saved = (JSON.parse(fs.readFileSync(path.join(ck, TRAINER_STATE_FILE), 'utf8')) as TrainerState)
        .runConfig as Partial<PretrainOptions>;
      const merged: Record<string, unknown> = { ...o };
      for (const k of FLAG_KEYS) {
        const source = cmd.getOptionValueSource(k === 'shuffle' ? 'shuffle' : k);
        if (source !== 'cli' && source !== 'env' && saved && k in saved) merged[k] = saved[k];
      }
      o = merged as unknown as PretrainOptions;
    } else if (!o.data) {
      throw new UserError('--data: required (the training text), unless --resume is given');
    }
    const r = await runPretrain(o);
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
