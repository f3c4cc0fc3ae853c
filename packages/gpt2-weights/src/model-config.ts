// config.json (Hugging Face GPT-2 keys + an `llmfs` block) and OpenAI's hparams.json <-> GPTConfig
// (docs/design.md "Model directories"). Keys llmfs cannot honour (another activation, epsilon, n_inner) are errors.
import type { GPTConfig } from '@llmfs/gpt-model';
import { WeightMappingError } from './errors.js';

/** The `llmfs` block of config.json: what GPT-2 has no key for. */
export interface LlmfsConfigBlock {
  qkv_bias: boolean;
  drop_rate: number;
  context_length: number;
}

function int(config: Record<string, any>, key: string, what: string, fallback?: unknown): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new WeightMappingError(`${what}: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** GPTConfig from a Hugging Face GPT-2 config.json object. */
export function configFromHf(config: Record<string, any>, what = 'config.json'): GPTConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new WeightMappingError(`${what}: not a JSON object`);
  if (config.model_type !== undefined && config.model_type !== 'gpt2')
    throw new WeightMappingError(`${what}: model_type "${config.model_type}" is not gpt2`);
  const act = config.activation_function;
  if (act !== undefined && act !== 'gelu_new' && act !== 'gelu_pytorch_tanh')
    throw new WeightMappingError(
      `${what}: activation_function "${act}" is not supported (GELU tanh form only)`,
    );
  const eps = config.layer_norm_epsilon;
  if (eps !== undefined && Math.abs(eps - 1e-5) > 1e-12)
    throw new WeightMappingError(`${what}: layer_norm_epsilon ${eps} is not supported (1e-5 only)`);
  const embDim = int(config, 'n_embd', what);
  if (config.n_inner !== undefined && config.n_inner !== null && config.n_inner !== 4 * embDim)
    throw new WeightMappingError(`${what}: n_inner ${config.n_inner} is not 4 * n_embd`);
  const l = (config.llmfs ?? {}) as Partial<LlmfsConfigBlock>;
  const nHeads = int(config, 'n_head', what);
  if (embDim % nHeads)
    throw new WeightMappingError(`${what}: n_embd ${embDim} is not divisible by n_head ${nHeads}`);
  const dropRate = l.drop_rate ?? config.resid_pdrop ?? 0.1;
  if (typeof dropRate !== 'number' || dropRate < 0 || dropRate >= 1)
    throw new WeightMappingError(`${what}: bad drop rate ${JSON.stringify(dropRate)}`);
  return {
    vocabSize: int(config, 'vocab_size', what),
    contextLength: l.context_length ?? int(config, 'n_positions', what, config.n_ctx),
    embDim,
    nHeads,
    nLayers: int(config, 'n_layer', what),
    dropRate,
    qkvBias: l.qkv_bias ?? true,
  };
}

/** A Hugging Face GPT-2 config.json object for `cfg` (loads in transformers.GPT2LMHeadModel). */
export function configToHf(
  cfg: GPTConfig,
  opts: { tied?: boolean; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: cfg.vocabSize,
    n_positions: cfg.contextLength,
    n_ctx: cfg.contextLength,
    n_embd: cfg.embDim,
    n_head: cfg.nHeads,
    n_layer: cfg.nLayers,
    n_inner: null,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
    resid_pdrop: cfg.dropRate,
    embd_pdrop: cfg.dropRate,
    attn_pdrop: cfg.dropRate,
    bos_token_id: 50256,
    eos_token_id: 50256,
    tie_word_embeddings: opts.tied ?? true,
    ...opts.extra,
    llmfs: {
      qkv_bias: cfg.qkvBias,
      drop_rate: cfg.dropRate,
      context_length: cfg.contextLength,
    } satisfies LlmfsConfigBlock,
  };
}

/** GPTConfig from OpenAI's hparams.json (qkv bias on, dropout 0, as the book loads GPT-2). */
export function configFromHparams(hparams: Record<string, any>, what = 'hparams.json'): GPTConfig {
  if (typeof hparams !== 'object' || hparams === null)
    throw new WeightMappingError(`${what}: not a JSON object`);
  const embDim = int(hparams, 'n_embd', what);
  const nHeads = int(hparams, 'n_head', what);
  if (embDim % nHeads)
    throw new WeightMappingError(`${what}: n_embd ${embDim} is not divisible by n_head ${nHeads}`);
  return {
    vocabSize: int(hparams, 'n_vocab', what),
    contextLength: int(hparams, 'n_ctx', what),
    embDim,
    nHeads,
    nLayers: int(hparams, 'n_layer', what),
    dropRate: 0,
    qkvBias: true,
  };
}

/** OpenAI's hparams.json for `cfg`. */
export function configToHparams(cfg: GPTConfig): Record<string, number> {
  return {
    n_vocab: cfg.vocabSize,
    n_ctx: cfg.contextLength,
    n_embd: cfg.embDim,
    n_head: cfg.nHeads,
    n_layer: cfg.nLayers,
  };
}
