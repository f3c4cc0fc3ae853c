// `llmfs loss` (book ch05 calc_loss_loader): mean cross-entropy of a model over the first K batches of
// the unshuffled sliding-window loader of a text file (drop_last false, as the book's validation loader).
import fs from 'node:fs';
import type { Command } from 'commander';
import { createDataLoaderV1 } from '@llmfs/data-loader';
import { initBackend } from '@llmfs/nn';
import { calcLossLoader } from '@llmfs/trainer';
import { checkInput, checkModelFlag } from '../check-paths.js';
import { UserError, parseNumber, printJson, withBackend } from '../common.js';
import { loadModelFlag } from '../model-loading.js';

interface LossFlags {
  model: string;
  data: string;
  contextLength?: string;
  batchSize?: string;
  stride?: string;
  maxBatches?: string;
  json?: boolean;
  backend?: string;
  cacheDir?: string;
  offline?: boolean;
}

/** Registers `llmfs loss`. */
export function register(program: Command): void {
  const cmd = program
    .command('loss')
    .description("mean cross-entropy of a model on a text file (the book's calc_loss_loader, unshuffled)")
    .requiredOption('--model <dir|name>', 'model directory, OpenAI GPT-2 folder, or GPT-2 name')
    .requiredOption('--data <file.txt>', 'UTF-8 text file')
    .option('--context-length <T>', 'tokens per row (default: the model context length)')
    .option('--batch-size <B>', 'rows per batch', '2')
    .option('--stride <S>', 'step between windows (default: the context length)')
    .option('--max-batches <K>', 'use only the first K batches')
    .option('--cache-dir <dir>', 'model cache (default: LLMFS_CACHE or the user cache dir)')
    .option('--offline', 'never download; use the cache only')
    .option('--json', 'print {"loss": ...}');
  withBackend(cmd).action(async (o: LossFlags) => runLoss(o));
}

async function runLoss(o: LossFlags): Promise<void> {
  checkInput('--data', o.data, 'file');
  checkModelFlag('--model', o.model);
  const text = fs.readFileSync(o.data, 'utf8');
  if (!text.length) throw new UserError(`--data ${o.data}: the file is empty`);
  const batchSize = parseNumber('--batch-size', o.batchSize, { integer: true, min: 1 })!;
  const maxBatches = parseNumber('--max-batches', o.maxBatches, { integer: true, min: 1 });
  let contextLength = parseNumber('--context-length', o.contextLength, { integer: true, min: 1 });
  let stride = parseNumber('--stride', o.stride, { integer: true, min: 1 });
  await initBackend(o.backend, { log: (line) => process.stderr.write(line + '\n') });
  const { model, cfg } = await loadModelFlag(o.model, {
    cacheDir: o.cacheDir,
    offline: o.offline,
    // the loss takes every position's logits: plan for whole windows of the batch
    shape: (c) => {
      const t = Math.min(contextLength ?? c.contextLength, c.contextLength);
      return { batchSize, seqLen: t, logitsPerRow: t };
    },
  });
  try {
    contextLength ??= cfg.contextLength;
    stride ??= contextLength;
    if (contextLength > cfg.contextLength)
      throw new UserError(
        `--context-length ${contextLength} exceeds the model's context length ${cfg.contextLength}`,
      );
    const loader = createDataLoaderV1(text, {
      batchSize,
      maxLength: contextLength,
      stride,
      shuffle: false,
      dropLast: false,
    });
    if (loader.length === 0)
      throw new UserError(`--data ${o.data}: too short for one window of ${contextLength + 1} tokens`);
    const loss = await calcLossLoader(loader, model, maxBatches);
    // finite weights are checked at load; a NaN here is an overflow, never a result to print
    if (!Number.isFinite(loss))
      throw new UserError(
        `--model ${o.model}: the loss on --data ${o.data} is ${loss} (the logits overflow)`,
      );
    const batches = Math.min(maxBatches ?? loader.length, loader.length);
    if (o.json) printJson({ loss, batches });
    else
      console.log(
        `loss ${loss.toFixed(6)} over ${batches} batch${batches === 1 ? '' : 'es'} (perplexity ${Math.exp(loss).toFixed(2)})`,
      );
  } finally {
    model.dispose();
  }
}
