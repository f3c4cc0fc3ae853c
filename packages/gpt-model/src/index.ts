// @llmfs/gpt-model: the book's chapter 4 GPT model, GPT-2 configs, counts and text generation.
export { GPTModel } from './gpt-model.js';
export type { GPTModelOptions, GPTForwardOptions } from './gpt-model.js';
export { GPTCache } from './gpt-cache.js';
export { GPT_CONFIG_124M, GPT2_CONFIGS, getConfig, validateConfig } from './gpt-config.js';
export type { GPTConfig } from './gpt-config.js';
export { LayerNorm } from './layer-norm.js';
export { GELU, gelu } from './gelu.js';
export { FeedForward } from './feed-forward.js';
export { TransformerBlock } from './transformer-block.js';
export type { BlockForwardOptions } from './transformer-block.js';
export { countParameters, modelMemoryBytes } from './count-parameters.js';
export { GPTModelError, ModelInputError, ConfigError } from './errors.js';
export { generateTextSimple } from './generate-text-simple.js';
export { generate, generateStream } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { sampleNextToken, argmax } from './sampling.js';
export type { SamplingOptions } from './sampling.js';
