// `llmfs finetune instruct` (book ch. 7, appendix E with --lora-rank), `llmfs respond` and
// `llmfs evaluate instruct` (scoring with an Ollama judge).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DisallowedSpecialTokenError } from '@llmfs/bpe-tokenizer';
import { AdamW, Trainer, calcLossLoader, formatEvalLine } from '@llmfs/trainer';
import type { GPTConfig } from '@llmfs/gpt-model';
import {
  inferencePlacement,
  planModelInference,
  planModelTraining,
  trainingPlacement,
} from '../memory-plan.js';
import { onInterrupt } from '../interrupt.js';
import {
  InstructionDataset,
  createInstructionDataLoader,
  formatInput,
  generateModelScores,
  generateResponse,
  generateResponses,
  loadFinetunedModel,
  loadInstructionData,
  parseInstructionData,
  replaceLinearWithLora,
  saveFinetunedModel,
  saveResponses,
  splitInstructionData,
} from '@llmfs/finetune';
import {
  checkInput,
  checkModelFlag,
  checkNotInput,
  checkOutputDir,
  checkOutputFile,
} from '../check-paths.js';
import { UserError, printJson, parseNumber, parseSeed, withBackend } from '../common.js';
import {
  checkLoraRank,
  gpt2Tokenizer,
  loadBaseModel,
  makeLog,
  parseLora,
  startBackend,
  withOwned,
  type Owned,
} from './finetune-common.js';

interface InstructFlags {
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
  allowedMaxLength?: string;
  maxSteps?: string;
  dropRate: string;
  maskPrompt?: boolean;
  loraRank?: string;
  loraAlpha?: string;
  responses: boolean;
  responsesFile: string;
  testLimit?: string;
  maxNewTokens: string;
  cacheDir?: string;
  offline?: boolean;
  backend?: string;
  json?: boolean;
}

/** Runs the command; the model and optimizer are released however it ends (error, Ctrl-C). */
async function finetuneInstruct(o: InstructFlags): Promise<void> {
  await withOwned((owned) => finetuneInstructOwned(o, owned));
}

async function finetuneInstructOwned(o: InstructFlags, owned: Owned): Promise<void> {
  const log = makeLog(o.json);
  const epochs = parseNumber('--epochs', o.epochs, { integer: true, min: 0 })!;
  const batchSize = parseNumber('--batch-size', o.batchSize, { integer: true, min: 1 })!;
  const lr = parseNumber('--lr', o.lr, { min: 0 })!;
  const weightDecay = parseNumber('--weight-decay', o.weightDecay, { min: 0 })!;
  const evalFreq = parseNumber('--eval-freq', o.evalFreq, { integer: true, min: 0 })!;
  const evalIter = parseNumber('--eval-iter', o.evalIter, { integer: true, min: 1 })!;
  const seed = parseSeed('--seed', o.seed)!;
  const maxSteps = parseNumber('--max-steps', o.maxSteps, { integer: true, min: 0 });
  const dropRate = parseNumber('--drop-rate', o.dropRate, { min: 0 })!;
  const testLimit = parseNumber('--test-limit', o.testLimit, { integer: true, min: 0 });
  const maxNewTokens = parseNumber('--max-new-tokens', o.maxNewTokens, { integer: true, min: 1 })!;
  const lora = parseLora(o);
  // every path before any work
  if (o.data !== undefined) checkInput('--data', o.data, 'file');
  checkModelFlag('--model', o.model);
  checkOutputDir('--out', o.out);
  if (o.responses) {
    checkOutputFile('--responses-file', o.responsesFile);
    checkNotInput('--responses-file', o.responsesFile, '--data', o.data);
  }
  if (o.cacheDir !== undefined) checkOutputDir('--cache-dir', o.cacheDir);

  const data = await loadInstructionData(o.data);
  const { train, test, val } = splitInstructionData(data);
  log(`data: ${data.length} entries -> train ${train.length} / val ${val.length} / test ${test.length}`);
  // the book's 85/10/5 split must leave entries to train on and to validate with, and a full batch
  if (!train.length || !val.length)
    throw new UserError(
      `--data ${o.data}: ${data.length} entries split 85/10/5 leave train ${train.length} / validation ${val.length}; give more entries`,
    );
  if (train.length < batchSize)
    throw new UserError(
      `--batch-size ${batchSize}: more than the ${train.length} training entries (incomplete batches are dropped, as in the book); lower --batch-size`,
    );
  await startBackend(o.backend);
  const tokenizer = gpt2Tokenizer();
  const trainDs = new InstructionDataset(train, tokenizer);
  const valDs = new InstructionDataset(val, tokenizer);
  const allowedFlag = parseNumber('--allowed-max-length', o.allowedMaxLength, { integer: true, min: 1 });
  // batches are padded to their longest entry: plan the memory for the longest one there is
  const longest = Math.max(1, ...[trainDs, valDs].flatMap((d) => d.encodedTexts.map((e) => e.length)));
  const planFor = (contextLength: number) => ({
    batchSize,
    seqLen: Math.min(longest, allowedFlag ?? contextLength, contextLength),
  });
  const model = await loadBaseModel(o.model, {
    dropRate,
    log,
    cacheDir: o.cacheDir,
    offline: o.offline,
    check: (cfg) => checkLoraRank(lora, cfg),
    placement: (cfg) => trainingPlacement(cfg, planFor(cfg.contextLength)),
  });
  owned.push(model);
  const allowedMaxLength = allowedFlag ?? model.cfg.contextLength;
  if (allowedMaxLength > model.cfg.contextLength)
    throw new UserError(
      `--allowed-max-length ${allowedMaxLength} exceeds the model's context length ${model.cfg.contextLength}`,
    );
  const collate = { allowedMaxLength, maskPrompt: o.maskPrompt };
  if (o.maskPrompt) {
    // a masked prompt that fills the whole window leaves no target: the loss would be NaN
    const full = [...trainDs.promptLengths, ...valDs.promptLengths].filter((n) => n > allowedMaxLength);
    if (full.length)
      throw new UserError(
        `--allowed-max-length ${allowedMaxLength}: with --mask-prompt, ${full.length} of the ${trainDs.length + valDs.length} training and validation prompts are longer (up to ${Math.max(...full)} tokens), leaving them no response token to learn; raise --allowed-max-length or drop --mask-prompt`,
      );
  }
  const trainLoader = createInstructionDataLoader(trainDs, {
    ...collate,
    batchSize,
    shuffle: true,
    dropLast: true,
    seed,
  });
  const valLoader = createInstructionDataLoader(valDs, {
    ...collate,
    batchSize,
  });
  if (lora) replaceLinearWithLora(model, lora.rank, lora.alpha, { seed });
  model.train();
  const memoryPlan = planModelTraining(model, planFor(model.cfg.contextLength), (line) =>
    console.error(line),
  );
  log(
    `trainable parameters: ${model.numParameters({ trainableOnly: true }).toLocaleString('en-US')}${lora ? ` (LoRA rank ${lora.rank}, alpha ${lora.alpha})` : ''}`,
  );
  log(
    `initial losses: train ${(await calcLossLoader(trainLoader, model, evalIter)).toFixed(3)}, val ${(await calcLossLoader(valLoader, model, evalIter)).toFixed(3)}`,
  );

  const optimizer = new AdamW(model.trainableParameters(), { lr, weightDecay });
  owned.push(optimizer);
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    valLoader,
    numEpochs: epochs,
    maxSteps,
    evalFreq,
    evalIter,
    startContext: val.length ? formatInput(val[0]) : undefined,
    tokenizer,
    contextSize: model.cfg.contextLength,
    memoryPlan,
  });
  trainer.on('eval', (e) => log(formatEvalLine(e)));
  trainer.on('sample', (s) => log(s.text.replace(/\n/g, ' ')));
  const done = onInterrupt(() => trainer.requestStop());
  const t0 = Date.now();
  const res = await trainer.run();
  const interrupted = done() || res.interrupted;
  const seconds = (Date.now() - t0) / 1000;
  log(`Training completed in ${(seconds / 60).toFixed(2)} minutes.`);
  await saveFinetunedModel(o.out, model, {
    extraConfig: { llmfs_finetune: { task: 'instruction', prompt: 'alpaca', lora: lora ?? null } },
  });
  log(`saved the model to ${o.out}`);
  if (interrupted) {
    process.exitCode = 130;
    return;
  }
  let responsesFile: string | undefined;
  if (o.responses) {
    const entries = testLimit === undefined ? test : test.slice(0, testLimit);
    const withResponses = await generateResponses(model, tokenizer, entries, {
      maxNewTokens,
      onResponse: (i) =>
        (i + 1) % 10 === 0 || i + 1 === entries.length
          ? log(`responses: ${i + 1}/${entries.length}`)
          : undefined,
    });
    responsesFile = o.responsesFile;
    await saveResponses(responsesFile, withResponses);
    log(`Responses saved as ${responsesFile}`);
  }
  if (o.json)
    printJson({
      steps: res.steps,
      trainLosses: res.trainLosses,
      valLosses: res.valLosses,
      tokensSeen: res.tokensSeen,
      seconds,
      out: o.out,
      responses: responsesFile ?? null,
    });
}

async function respond(
  instruction: string,
  o: { model: string; input?: string; maxNewTokens: string; backend?: string; json?: boolean },
): Promise<void> {
  const maxNewTokens = parseNumber('--max-new-tokens', o.maxNewTokens, { integer: true, min: 1 })!;
  checkInput('--model', o.model, 'dir');
  await startBackend(o.backend);
  // the prompt (Alpaca template) plus the answer: plan for the whole context, one row
  const shape = (cfg: GPTConfig) => ({ batchSize: 1, seqLen: cfg.contextLength });
  const { model } = await loadFinetunedModel(o.model, {
    placement: (cfg) => inferencePlacement(cfg, shape(cfg)),
  });
  try {
    planModelInference(model, shape(model.cfg), (line) => console.error(line));
    const response = await generateResponse(
      model,
      gpt2Tokenizer(),
      { instruction, input: o.input ?? '' },
      { maxNewTokens },
    ).catch((err) => {
      throw err instanceof DisallowedSpecialTokenError
        ? new UserError(
            `INSTRUCTION or --input: contains the special token '${err.token}', which a prompt may not hold`,
          )
        : err;
    });
    if (o.json) printJson({ instruction, input: o.input ?? '', response });
    else console.log(response);
  } finally {
    model.dispose();
  }
}

async function evaluateInstruct(o: {
  file: string;
  judgeUrl: string;
  judgeModel: string;
  jsonKey: string;
  limit?: string;
  json?: boolean;
}): Promise<void> {
  const log = makeLog(o.json);
  if ((await fs.stat(o.file).catch(() => undefined))?.isDirectory())
    throw new UserError(`--file ${o.file}: is a directory, expected a file`);
  const text = await fs.readFile(o.file, 'utf8').catch(() => {
    throw new UserError(`--file ${o.file}: cannot read it (run \`llmfs finetune instruct\` first)`);
  });
  let entries = parseInstructionData(text, o.file);
  const limit = parseNumber('--limit', o.limit, { integer: true, min: 1 });
  if (limit !== undefined) entries = entries.slice(0, limit);
  const missing = entries.findIndex(
    (e) => typeof (e as unknown as Record<string, unknown>)[o.jsonKey] !== 'string',
  );
  if (missing >= 0) throw new UserError(`${o.file}: entry ${missing} has no "${o.jsonKey}" (use --json-key)`);
  const result = await generateModelScores(entries, {
    url: o.judgeUrl,
    model: o.judgeModel,
    jsonKey: o.jsonKey,
    onScore: (i, score, reply) => {
      if (score === undefined) log(`Could not convert score: ${reply.trim().slice(0, 80)}`);
      if ((i + 1) % 10 === 0 || i + 1 === entries.length) log(`scoring: ${i + 1}/${entries.length}`);
    },
  });
  if (o.json) {
    printJson({
      file: path.basename(o.file),
      judge: o.judgeModel,
      count: result.scores.length,
      total: entries.length,
      average: result.average,
      scores: result.scores,
    });
  } else {
    console.log(`Number of scores: ${result.scores.length} of ${entries.length}`);
    console.log(`Average score: ${result.average.toFixed(2)}`);
  }
}

/** Registers `finetune instruct`, `respond` and `evaluate instruct`. */
export function registerInstruct(program: Command, finetune: Command): void {
  withBackend(
    finetune
      .command('instruct')
      .description(
        'instruction-finetune a GPT-2 (book ch. 7; appendix E with --lora-rank), then answer the test split',
      )
      .option(
        '--data <file.json>',
        "instruction data [{instruction, input, output}] (default: the book's 1100 entries)",
      )
      .option('--model <dir|name>', 'base model directory or GPT-2 name', 'gpt2-medium')
      .option('--out <dir>', 'where to save the finetuned model', 'gpt2-sft')
      .option('--epochs <n>', 'epochs', '2')
      .option('--batch-size <n>', 'batch size', '8')
      .option('--lr <x>', 'AdamW learning rate', '5e-5')
      .option('--weight-decay <x>', 'AdamW weight decay', '0.1')
      .option('--eval-freq <n>', 'evaluate every n steps (0 = never)', '5')
      .option('--eval-iter <n>', 'batches per evaluation', '5')
      .option('--seed <n>', 'shuffle seed', '123')
      .option('--allowed-max-length <n>', 'truncate batches to n tokens (default: the context length)')
      .option('--max-steps <n>', 'stop after n optimizer steps')
      .option('--drop-rate <x>', 'dropout while finetuning (the book: 0)', '0')
      .option('--mask-prompt', 'leave the prompt tokens out of the loss (exercise 7.2)')
      .option('--lora-rank <r>', 'train LoRA adapters of rank r instead (base frozen)')
      .option('--lora-alpha <a>', 'LoRA alpha (default: the rank)')
      .option('--no-responses', 'do not generate responses for the test split')
      .option(
        '--responses-file <file>',
        'where to save the test responses',
        'instruction-data-with-response.json',
      )
      .option('--test-limit <n>', 'answer only the first n test entries')
      .option('--max-new-tokens <n>', 'tokens per response', '256')
      .option('--cache-dir <dir>', 'model cache (default: LLMFS_CACHE or the user cache dir)')
      .option('--offline', 'never download: the model must be a directory or cached')
      .option('--json', 'print one JSON object with the losses'),
  ).action((opts: InstructFlags) => finetuneInstruct(opts));

  withBackend(
    program
      .command('respond')
      .description('answer an instruction with an instruction-finetuned model (Alpaca prompt, greedy)')
      .argument('<instruction>', 'the instruction')
      .requiredOption('--model <dir>', 'finetuned model directory')
      .option('--input <text>', 'optional input for the instruction')
      .option('--max-new-tokens <n>', 'tokens to generate at most', '256')
      .option('--json', 'print JSON'),
  ).action((instruction: string, opts) => respond(instruction, opts));

  const evaluate = program.command('evaluate').description('evaluate finetuned models');
  evaluate
    .command('instruct')
    .description('score responses 0-100 with an Ollama judge (book ch. 7.8) and print the average')
    .option('--file <file.json>', 'entries with responses', 'instruction-data-with-response.json')
    .option('--judge-url <url>', 'Ollama server', 'http://localhost:11434')
    .option('--judge-model <name>', 'judge model', 'llama3')
    .option('--json-key <key>', 'key of the response to score', 'model_response')
    .option('--limit <n>', 'score only the first n entries')
    .option('--json', 'print JSON')
    .action((opts) => evaluateInstruct(opts));
}
