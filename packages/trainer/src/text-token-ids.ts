// The book's text_to_token_ids and token_ids_to_text (ch05, listing 5.1): text <-> a [1, T] batch of ids.
// The tokenizer is a parameter (any object with encode/decode, such as @llmfs/bpe-tokenizer's GPT-2
// encoding), so the trainer does not depend on a tokenizer package.
import * as tf from '@tensorflow/tfjs';
import type { TokenizerLike } from './types.js';

/** Encodes `text` (allowing <|endoftext|>) into int32 ids [1, T] (the batch dimension added). */
export function textToTokenIds(text: string, tokenizer: TokenizerLike): tf.Tensor2D {
  const ids = tokenizer.encode(text, { allowedSpecial: ['<|endoftext|>'] });
  return tf.tensor2d(ids, [1, ids.length], 'int32'); // unsqueeze(0): (T,) -> (1, T)
}

/** Decodes ids [1, T] (or [T]) back into text (the batch dimension removed). */
export function tokenIdsToText(tokenIds: tf.Tensor, tokenizer: TokenizerLike): string {
  return tokenizer.decode(Array.from(tokenIds.dataSync())); // squeeze(0): (1, T) -> (T,)
}
