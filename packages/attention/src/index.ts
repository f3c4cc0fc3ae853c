// @llmfs/attention: the book's chapter 3 attention mechanisms and a KV cache.
export { SelfAttentionV1 } from './self-attention-v1.js';
export type { AttentionOptions } from './self-attention-v1.js';
export { SelfAttentionV2 } from './self-attention-v2.js';
export { CausalAttention } from './causal-attention.js';
export { MultiHeadAttentionWrapper } from './multi-head-attention-wrapper.js';
export { MultiHeadAttention } from './multi-head-attention.js';
export type { MultiHeadAttentionOptions, AttentionForwardOptions } from './multi-head-attention.js';
export { KVCache } from './kv-cache.js';
export { causalMask } from './causal-mask.js';
