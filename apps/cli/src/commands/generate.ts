// `llmfs generate` (book ch04-05): text from a model directory, an OpenAI folder or a GPT-2 name, greedy
// (temperature 0) or sampled with temperature / top-k / top-p / seed; streams text, or `--json`
// prints {"ids": [new ids], "text": new text}.
import type { Command } from 'commander';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { generate } from '@llmfs/gpt-model';
import { initBackend } from '@llmfs/nn';
import { checkModelFlag } from '../check-paths.js';
import { UserError, parseNumber, parseSeed, printJson, withBackend } from '../common.js';
import { loadModelFlag } from '../model-loading.js';

interface GenerateFlags {
  model: string;
  prompt: string;
  maxNewTokens?: string;
  temperature?: string;
  topK?: string;
  topP?: string;
  seed?: string;
  eosId?: string;
  json?: boolean;
  backend?: string;
  cacheDir?: string;
  offline?: boolean;
}

/** Registers `llmfs generate`. */
export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .description(
      'generate text from a model directory, an OpenAI GPT-2 folder, or a GPT-2 name (gpt2, gpt2-medium, ...)',
    )
    .requiredOption(
      '--model <dir|name>',
      'model directory, OpenAI GPT-2 folder, or gpt2 | gpt2-medium | gpt2-large | gpt2-xl',
    )
    .requiredOption('--prompt <text>', 'the text to continue')
    .option('--max-new-tokens <n>', 'tokens to generate', '25')
    .option('--temperature <t>', 'sampling temperature; 0 = greedy', '0')
    .option('--top-k <k>', 'sample among the k most likely tokens')
    .option('--top-p <p>', 'sample among the smallest set of tokens with probability mass p')
    .option('--seed <n>', 'seed of the sampling draws')
    .option('--eos-id <id>', 'stop when this token id is produced (e.g. 50256)')
    .option('--cache-dir <dir>', 'model cache (default: LLMFS_CACHE or the user cache dir)')
    .option('--offline', 'never download; use the cache only')
    .option('--json', 'print {"ids": [...], "text": "..."} instead of streaming');
  withBackend(cmd).action(async (o: GenerateFlags) => runGenerate(o));
}

async function runGenerate(o: GenerateFlags): Promise<void> {
  const maxNewTokens = parseNumber('--max-new-tokens', o.maxNewTokens, { integer: true, min: 0 })!;
  const temperature = parseNumber('--temperature', o.temperature, { min: 0 })!;
  const topK = parseNumber('--top-k', o.topK, { integer: true, min: 1 });
  const topP = parseNumber('--top-p', o.topP, { min: 0 });
  if (topP !== undefined && (topP <= 0 || topP > 1))
    throw new UserError(`--top-p: expected a number in (0, 1], got '${o.topP}'`);
  const seed = parseSeed('--seed', o.seed);
  const eosId = parseNumber('--eos-id', o.eosId, { integer: true, min: 0 });
  checkModelFlag('--model', o.model);
  await initBackend(o.backend, { log: (line) => process.stderr.write(line + '\n') });
  const enc = getEncoding('gpt2');
  const promptIds = enc.encode(o.prompt, { allowedSpecial: ['<|endoftext|>'] });
  if (promptIds.length === 0) throw new UserError('--prompt: empty prompt');
  const { model, cfg } = await loadModelFlag(o.model, {
    cacheDir: o.cacheDir,
    offline: o.offline,
    // one row; the KV cache grows to the prompt and the new tokens (at most the context)
    shape: (c) => ({ batchSize: 1, seqLen: Math.min(c.contextLength, promptIds.length + maxNewTokens) }),
  });
  try {
    if (eosId !== undefined && eosId >= cfg.vocabSize)
      throw new UserError(
        `--eos-id ${eosId}: outside the model's vocabulary (ids 0 to ${cfg.vocabSize - 1})`,
      );
    const tooBig = promptIds.find((id) => id >= cfg.vocabSize);
    if (tooBig !== undefined)
      throw new UserError(
        `--prompt: token id ${tooBig} is outside the model's vocabulary of ${cfg.vocabSize}`,
      );
    const decoder = enc.createDecoder();
    if (!o.json) process.stdout.write(o.prompt);
    const out = await generate(model, {
      idx: [promptIds],
      maxNewTokens,
      contextSize: cfg.contextLength,
      temperature,
      topK,
      topP,
      seed,
      eosId,
      onToken: o.json ? undefined : (id) => process.stdout.write(decoder.push(id)),
    });
    const newIds = out[0].slice(promptIds.length);
    if (o.json) printJson({ ids: newIds, text: enc.decode(newIds) });
    else process.stdout.write(decoder.flush() + '\n');
  } finally {
    model.dispose();
  }
}
