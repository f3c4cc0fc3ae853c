// `llmfs finetune classify` (book ch. 6, appendix E with --lora-rank) and `llmfs classify`.
import type { Command } from 'commander';
import { DisallowedSpecialTokenError } from '@llmfs/bpe-tokenizer';
import { AdamW, formatEvalLine } from '@llmfs/trainer';
import {
  SPAM_CLASSES,
  SpamDataset,
  addClassificationHead,
  calcAccuracyLoader,
  classifyReview,
  createBalancedDataset,
  createSpamDataLoader,
  downloadSpamData,
  freezeForClassification,
  loadClassifierDirectory,
  randomSplit,
  readSpamData,
  replaceLinearWithLora,
  saveClassifierDirectory,
  trainClassifierSimple,
} from '@llmfs/finetune';
import type { GPTConfig } from '@llmfs/gpt-model';
import { checkInput, checkModelFlag, checkOutputDir } from '../check-paths.js';
import { UserError, printJson, parseNumber, parseSeed, withBackend } from '../common.js';
import { inferencePlacement, planModelInference } from '../memory-plan.js';
import { onInterrupt } from '../interrupt.js';
import {
  checkLoraRank,
  gpt2Tokenizer,
  loadBaseModel,
  makeLog,
  parseLora,
  pct,
  startBackend,
  withOwned,
  type Owned,
} from './finetune-common.js';

interface ClassifyFlags {
  data?: string;
  model: string;
  out: string;
  epochs: string;
  batchSize: string;
  lr: string;
  weightDecay: string;
  evalFreq: string;
  evalIter: string;
  seed: string;
  maxLength?: string;
  maxSteps?: string;
  dropRate: string;
  trainableBlocks: string;
  trainFinalNorm: boolean;
  trainAll?: boolean;
  balance: boolean;
  loraRank?: string;
  loraAlpha?: string;
  cacheDir?: string;
  offline?: boolean;
  backend?: string;
  json?: boolean;
}

/** Runs the command; the model and optimizer are released however it ends (error, Ctrl-C). */
async function finetuneClassify(o: ClassifyFlags): Promise<void> {
  await withOwned((owned) => finetuneClassifyOwned(o, owned));
}

async function finetuneClassifyOwned(o: ClassifyFlags, owned: Owned): Promise<void> {
  const log = makeLog(o.json);
  const epochs = parseNumber('--epochs', o.epochs, { integer: true, min: 0 })!;
  const batchSize = parseNumber('--batch-size', o.batchSize, { integer: true, min: 1 })!;
  const lr = parseNumber('--lr', o.lr, { min: 0 })!;
  const weightDecay = parseNumber('--weight-decay', o.weightDecay, { min: 0 })!;
  const evalFreq = parseNumber('--eval-freq', o.evalFreq, { integer: true, min: 1 })!;
  const evalIter = parseNumber('--eval-iter', o.evalIter, { integer: true, min: 1 })!;
  const seed = parseSeed('--seed', o.seed)!;
  const maxLength = parseNumber('--max-length', o.maxLength, { integer: true, min: 1 });
  const maxSteps = parseNumber('--max-steps', o.maxSteps, { integer: true, min: 0 });
  const dropRate = parseNumber('--drop-rate', o.dropRate, { min: 0 })!;
  const trainableBlocks = parseNumber('--trainable-blocks', o.trainableBlocks, { integer: true, min: 0 })!;
  const lora = parseLora(o);
  // every path before any work
  if (o.data !== undefined) checkInput('--data', o.data, 'file or dir');
  checkModelFlag('--model', o.model);
  checkOutputDir('--out', o.out);
  if (o.cacheDir !== undefined) checkOutputDir('--cache-dir', o.cacheDir);

  // data: read, balance, split 70/10/20 (seeded)
  const dataPath =
    o.data ??
    (await downloadSpamData({
      cacheDir: o.cacheDir,
      offline: o.offline,
      onProgress: (r, t) => t && r === t && log(`downloaded the SMS Spam Collection (${t} bytes)`),
    }));
  const rows = await readSpamData(dataPath);
  if (rows.length === 0)
    throw new UserError(`--data ${dataPath}: no messages (expected lines "ham<TAB>text" or "spam<TAB>text")`);
  const balanced = o.balance ? createBalancedDataset(rows, seed) : rows;
  const { train, val, test } = randomSplit(balanced, 0.7, 0.1, seed);
  log(
    `data: ${rows.length} messages -> ${balanced.length} balanced -> train ${train.length} / val ${val.length} / test ${test.length}`,
  );
  // the book's 70/10/20 split must leave a message in each part, and a full batch to train on
  if (!train.length || !val.length || !test.length)
    throw new UserError(
      `--data ${dataPath}: ${balanced.length} ${o.balance ? 'balanced ' : ''}messages split 70/10/20 leave train ${train.length} / validation ${val.length} / test ${test.length}; give more messages`,
    );
  if (train.length < batchSize)
    throw new UserError(
      `--batch-size ${batchSize}: more than the ${train.length} training messages (incomplete batches are dropped, as in the book); lower --batch-size`,
    );

  await startBackend(o.backend);
  const tokenizer = gpt2Tokenizer();
  const model = await loadBaseModel(o.model, {
    dropRate,
    log,
    cacheDir: o.cacheDir,
    offline: o.offline,
    check: (cfg) => checkLoraRank(lora, cfg),
  });
  owned.push(model);
  const trainDs = new SpamDataset(train, tokenizer, { maxLength, contextLength: model.cfg.contextLength });
  const valDs = new SpamDataset(val, tokenizer, { maxLength: trainDs.maxLength });
  const testDs = new SpamDataset(test, tokenizer, { maxLength: trainDs.maxLength });
  const trainLoader = createSpamDataLoader(trainDs, { batchSize, shuffle: true, dropLast: true, seed });
  const valLoader = createSpamDataLoader(valDs, { batchSize });
  const testLoader = createSpamDataLoader(testDs, { batchSize });
  log(
    `max length ${trainDs.maxLength} tokens; ${trainLoader.length} / ${valLoader.length} / ${testLoader.length} batches`,
  );

  addClassificationHead(model, SPAM_CLASSES.length, { seed });
  if (lora) replaceLinearWithLora(model, lora.rank, lora.alpha, { seed });
  else
    freezeForClassification(model, {
      trainableBlocks,
      trainFinalNorm: o.trainFinalNorm,
      trainAll: o.trainAll,
    });
  log(
    `trainable parameters: ${model.numParameters({ trainableOnly: true }).toLocaleString('en-US')}${lora ? ` (LoRA rank ${lora.rank}, alpha ${lora.alpha})` : ''}`,
  );

  const optimizer = new AdamW(model.trainableParameters(), { lr, weightDecay });
  owned.push(optimizer);
  let stopRequested = false;
  const done = onInterrupt(() => (stopRequested = true));
  const t0 = Date.now();
  const res = await trainClassifierSimple(model, trainLoader, valLoader, optimizer, {
    numEpochs: epochs,
    evalFreq,
    evalIter,
    maxSteps,
    shouldStop: () => stopRequested,
    onEval: (e) => log(formatEvalLine(e)),
    onEpoch: (e) =>
      log(`Training accuracy: ${pct(e.trainAccuracy)} | Validation accuracy: ${pct(e.valAccuracy)}`),
  });
  const interrupted = done() || res.interrupted;
  const seconds = (Date.now() - t0) / 1000;
  log(`Training completed in ${(seconds / 60).toFixed(2)} minutes.`);
  await saveClassifierDirectory(o.out, model, { classes: [...SPAM_CLASSES], maxLength: trainDs.maxLength });
  log(`saved the classifier to ${o.out}`);
  if (interrupted) {
    process.exitCode = 130;
    return;
  }
  const trainAccuracy = await calcAccuracyLoader(trainLoader, model);
  const valAccuracy = await calcAccuracyLoader(valLoader, model);
  const testAccuracy = await calcAccuracyLoader(testLoader, model);
  if (o.json) {
    printJson({
      trainAccuracy,
      valAccuracy,
      testAccuracy,
      steps: res.steps,
      examplesSeen: res.examplesSeen,
      trainLosses: res.trainLosses,
      valLosses: res.valLosses,
      seconds,
      out: o.out,
    });
  } else {
    console.log(`Training accuracy: ${pct(trainAccuracy)}`);
    console.log(`Validation accuracy: ${pct(valAccuracy)}`);
    console.log(`Test accuracy: ${pct(testAccuracy)}`);
  }
}

async function classify(
  texts: string[],
  o: { model: string; maxLength?: string; backend?: string; json?: boolean },
): Promise<void> {
  checkInput('--model', o.model, 'dir');
  const len0 = parseNumber('--max-length', o.maxLength, { integer: true, min: 1 });
  await startBackend(o.backend);
  const shape = (cfg: GPTConfig) => ({ batchSize: 1, seqLen: cfg.contextLength });
  const { model, classes, maxLength } = await loadClassifierDirectory(o.model, {
    placement: (cfg) => inferencePlacement(cfg, shape(cfg)),
  });
  planModelInference(model, shape(model.cfg), (line) => console.error(line));
  const tokenizer = gpt2Tokenizer();
  const len = len0 ?? maxLength;
  try {
    const results = texts.map((text) => {
      let r: ReturnType<typeof classifyReview>;
      try {
        r = classifyReview(text, model, tokenizer, { maxLength: len, classes });
      } catch (err) {
        if (!(err instanceof DisallowedSpecialTokenError)) throw err;
        throw new UserError(`TEXT: contains the special token '${err.token}', which a message may not hold`);
      }
      return {
        text,
        label: r.name ?? String(r.label),
        index: r.label,
        probability: r.probability,
        probabilities: r.probabilities,
      };
    });
    if (o.json) printJson(results.length === 1 ? results[0] : { results });
    else
      for (const r of results)
        console.log(`${r.label}\t${r.probability.toFixed(4)}${texts.length > 1 ? `\t${r.text}` : ''}`);
  } finally {
    model.dispose();
  }
}

/** Registers `finetune classify` on the finetune group and the top-level `classify`. */
export function registerClassify(program: Command, finetune: Command): void {
  withBackend(
    finetune
      .command('classify')
      .description(
        'finetune a GPT-2 as a spam classifier (book ch. 6; appendix E with --lora-rank) and print train/val/test accuracy',
      )
      .option(
        '--data <zip|tsv|dir>',
        'SMS Spam Collection: the UCI zip, the SMSSpamCollection file, or a folder (default: download it)',
      )
      .option('--model <dir|name>', 'base model directory or GPT-2 name', 'gpt2')
      .option('--out <dir>', 'where to save the classifier', 'spam-classifier')
      .option('--epochs <n>', 'epochs', '5')
      .option('--batch-size <n>', 'batch size', '8')
      .option('--lr <x>', 'AdamW learning rate', '5e-5')
      .option('--weight-decay <x>', 'AdamW weight decay', '0.1')
      .option('--eval-freq <n>', 'evaluate every n steps', '50')
      .option('--eval-iter <n>', 'batches per evaluation', '5')
      .option('--seed <n>', 'seed of balancing, splitting, shuffling and the head', '123')
      .option('--max-length <n>', 'pad/truncate messages to n tokens (default: longest training message)')
      .option('--max-steps <n>', 'stop after n optimizer steps')
      .option('--drop-rate <x>', 'dropout while finetuning (the book: 0)', '0')
      .option('--trainable-blocks <n>', 'last transformer blocks left trainable', '1')
      .option('--no-train-final-norm', 'freeze the final LayerNorm too')
      .option('--train-all', 'train every parameter')
      .option('--no-balance', 'keep all ham messages (no down-sampling)')
      .option('--lora-rank <r>', 'train LoRA adapters of rank r instead (base frozen)')
      .option('--lora-alpha <a>', 'LoRA alpha (default: the rank)')
      .option('--cache-dir <dir>', 'cache of models and data (default: LLMFS_CACHE or the user cache dir)')
      .option('--offline', 'never download: the model and data must be given or cached')
      .option('--json', 'print one JSON object with the accuracies'),
  ).action((opts: ClassifyFlags) => finetuneClassify(opts));

  withBackend(
    program
      .command('classify')
      .description(
        'classify text with a finetuned classifier directory: prints the label and its probability',
      )
      .argument('<text...>', 'text to classify')
      .requiredOption('--model <dir>', 'classifier directory (from llmfs finetune classify)')
      .option('--max-length <n>', 'pad/truncate to n tokens (default: the training length)')
      .option('--json', 'print JSON'),
  ).action((texts: string[], opts) => classify(texts, opts));
}
