// @llmfs/bpe-tokenizer: the book's chapter 2 tokenizers (SimpleTokenizerV1/V2), GPT-2's byte-level
// BPE byte-exact with OpenAI's tiktoken, and BPE training from scratch (the book's BPE bonus).
export { TokenizerError, DisallowedSpecialTokenError, UnknownTokenIdError } from './errors.js';
export { Encoding, type EncodeOptions, type StreamDecoder } from './encoding.js';
export { getEncoding, type EncodingName } from './get-encoding.js';
export { fromOpenAIFiles } from './from-openai-files.js';
export { buildVocab, splitSimple } from './build-vocab.js';
export { SimpleTokenizerV1 } from './simple-tokenizer-v1.js';
export { SimpleTokenizerV2, SIMPLE_SPECIAL_TOKENS } from './simple-tokenizer-v2.js';
export { BpeTokenizer, type BpeTrainOptions, type BpeTokenizerJSON } from './bpe-tokenizer.js';
