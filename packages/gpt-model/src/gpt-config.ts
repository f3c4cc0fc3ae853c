// GPT model configurations (book section 4.1 and chapter 5's GPT-2 sizes), as plain typed data.
import { ConfigError } from './errors.js';

/** The book's GPT_CONFIG keys in TypeScript casing. */
export interface GPTConfig {
  vocabSize: number;
  contextLength: number;
  embDim: number;
  nHeads: number;
  nLayers: number;
  dropRate: number;
  qkvBias: boolean;
}

/** The book's GPT_CONFIG_124M (context 1024, dropout 0.1, no qkv bias). */
export const GPT_CONFIG_124M = {
  vocabSize: 50257,
  contextLength: 1024,
  embDim: 768,
  nHeads: 12,
  nLayers: 12,
  dropRate: 0.1,
  qkvBias: false,
} satisfies GPTConfig;

const gpt2 = (embDim: number, nLayers: number, nHeads: number): GPTConfig => ({
  vocabSize: 50257,
  contextLength: 1024,
  embDim,
  nHeads,
  nLayers,
  dropRate: 0.1,
  qkvBias: true, // OpenAI's GPT-2 weights have q/k/v biases (book section 5.5)
});

/** The released GPT-2 sizes, as the book loads them (qkvBias true, context 1024). */
export const GPT2_CONFIGS: Record<'gpt2' | 'gpt2-medium' | 'gpt2-large' | 'gpt2-xl', GPTConfig> = {
  gpt2: gpt2(768, 12, 12),
  'gpt2-medium': gpt2(1024, 24, 16),
  'gpt2-large': gpt2(1280, 36, 20),
  'gpt2-xl': gpt2(1600, 48, 25),
};

const ALIASES: Record<string, keyof typeof GPT2_CONFIGS> = {
  gpt2: 'gpt2',
  'gpt2-small': 'gpt2',
  '124m': 'gpt2',
  'gpt2-small (124m)': 'gpt2',
  'gpt2-medium': 'gpt2-medium',
  '355m': 'gpt2-medium',
  'gpt2-medium (355m)': 'gpt2-medium',
  'gpt2-large': 'gpt2-large',
  '774m': 'gpt2-large',
  'gpt2-large (774m)': 'gpt2-large',
  'gpt2-xl': 'gpt2-xl',
  '1558m': 'gpt2-xl',
  '1.5b': 'gpt2-xl',
  'gpt2-xl (1558m)': 'gpt2-xl',
};

/** A copy of the GPT-2 config named `name` ('gpt2', 'gpt2-small', '124M', 'gpt2-medium', '355M', ...). */
export function getConfig(name: string): GPTConfig {
  const key = ALIASES[name.trim().toLowerCase()];
  if (!key)
    throw new ConfigError(
      `unknown model config '${name}' (try gpt2, gpt2-medium, gpt2-large, gpt2-xl, 124M, 355M, 774M, 1558M)`,
    );
  return { ...GPT2_CONFIGS[key] };
}

/** Throws ConfigError unless the config is usable (positive sizes, embDim divisible by nHeads). */
export function validateConfig(cfg: GPTConfig): void {
  for (const k of ['vocabSize', 'contextLength', 'embDim', 'nHeads', 'nLayers'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0)
      throw new ConfigError(`config.${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.embDim % cfg.nHeads !== 0)
    throw new ConfigError(`config.embDim ${cfg.embDim} is not divisible by nHeads ${cfg.nHeads}`);
  if (!(cfg.dropRate >= 0 && cfg.dropRate < 1))
    throw new ConfigError(`config.dropRate must be in [0, 1), got ${cfg.dropRate}`);
}
