// The one place text becomes ids: GPT-2 BPE with <|endoftext|> allowed, as the book's create_dataloader_v1.
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { DataLoaderError } from './data-loader-error.js';

/** Something that turns text into token ids (the GPT-2 encoding by default). */
export interface TokenEncoder {
  encode(text: string): ArrayLike<number>;
}

/** The book's tokenization: `tiktoken.get_encoding("gpt2").encode(text, allowed_special={"<|endoftext|>"})`. */
export const gpt2TokenEncoder: TokenEncoder = {
  encode: (text) => getEncoding('gpt2').encode(text, { allowedSpecial: ['<|endoftext|>'] }),
};

/** Encodes `text` with `encoder` (GPT-2 by default); empty text is an error. */
export function encodeText(
  text: string,
  encoder: TokenEncoder = gpt2TokenEncoder,
  what = 'text',
): ArrayLike<number> {
  if (typeof text !== 'string')
    throw new DataLoaderError(`${what} must be a string or an array of token ids`);
  if (text.length === 0)
    throw new DataLoaderError(`${what} is empty; give the loader some text or token ids`);
  return encoder.encode(text);
}
