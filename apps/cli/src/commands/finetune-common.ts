// Shared pieces of the finetuning commands: loading a base model (directory or GPT-2 name), the GPT-2
// tokenizer, LoRA flags, logging that keeps stdout clean under --json.
import { getEncoding } from '@llmfs/bpe-tokenizer';
import type { TextTokenizer } from '@llmfs/finetune';
import type { GPTConfig, GPTModel } from '@llmfs/gpt-model';
import { loadModelDirectory, openWeightSource, resolveModel } from '@llmfs/gpt2-weights';
import { initBackend, type ParameterPlacement } from '@llmfs/nn';
import { UserError, parseNumber } from '../common.js';

/** GPT-2's tokenizer, as the book's chapters 6 and 7 use it. */
export function gpt2Tokenizer(): TextTokenizer {
  return getEncoding('gpt2');
}

/** Starts the tfjs backend chosen by --backend / LLMFS_BACKEND; logs the one line to stderr. */
export async function startBackend(name: string | undefined): Promise<string> {
  return initBackend(name, { log: (line) => console.error(line) });
}

/** Where progress lines go: stdout normally, stderr when stdout carries --json. */
export function makeLog(json: boolean | undefined): (line: string) => void {
  return json ? (line) => console.error(line) : (line) => console.log(line);
}

/**
 * A model directory or GPT-2 name (downloaded into the cache unless offline), loaded with dropout set to
 * dropRate; `check` sees the config from the file headers before any weight is read.
 */
export async function loadBaseModel(
  nameOrDir: string,
  opts: {
    dropRate?: number;
    log: (line: string) => void;
    cacheDir?: string;
    offline?: boolean;
    check?: (cfg: GPTConfig) => void;
    /** Where the parameters go, from the config (the memory plan's training placement). */
    placement?: (cfg: GPTConfig) => ParameterPlacement;
  },
): Promise<GPTModel> {
  let lastPct = -1;
  const dir = await resolveModel(nameOrDir, {
    cacheDir: opts.cacheDir,
    offline: opts.offline,
    onProgress: (file, received, total) => {
      if (!total) return;
      const pct = Math.floor((100 * received) / total);
      if (pct >= lastPct + 10 || received === total) {
        lastPct = pct;
        opts.log(`downloading ${nameOrDir}/${file}: ${pct}%`);
      }
    },
  });
  if (opts.check) {
    const src = await openWeightSource(dir); // headers only
    await src.close();
    opts.check(src.cfg);
  }
  const { model } = await loadModelDirectory(dir, {
    cfgOverrides: opts.dropRate === undefined ? {} : { dropRate: opts.dropRate },
    placement: opts.placement,
  });
  return model;
}

/** Parsed --lora-rank / --lora-alpha (alpha defaults to rank, the book's 16/16); undefined without a rank. */
export function parseLora(opts: {
  loraRank?: string;
  loraAlpha?: string;
}): { rank: number; alpha: number } | undefined {
  const rank = parseNumber('--lora-rank', opts.loraRank, { integer: true, min: 1 });
  const alpha = parseNumber('--lora-alpha', opts.loraAlpha, { min: 0 });
  if (rank === undefined) {
    if (alpha !== undefined) throw new UserError('--lora-alpha needs --lora-rank');
    return undefined;
  }
  return { rank, alpha: alpha ?? rank };
}

/** LoRA's rank is at most the model width (A is width x rank, B rank x width in every block). */
export function checkLoraRank(lora: { rank: number } | undefined, cfg: GPTConfig): void {
  if (lora && lora.rank > cfg.embDim)
    throw new UserError(`--lora-rank ${lora.rank}: at most the model width, ${cfg.embDim} (n_embd)`);
}

/** Percent with two decimals, as the book prints accuracies. */
export function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** Something a command must release however it ends (a model, an optimizer). */
export type Owned = Array<{ dispose(): void }>;

/** Runs a command body that registers what it allocates in `owned`; releases it all, last first. */
export async function withOwned(body: (owned: Owned) => Promise<void>): Promise<void> {
  const owned: Owned = [];
  try {
    await body(owned);
  } finally {
    for (const x of owned.reverse()) x.dispose();
  }
}
