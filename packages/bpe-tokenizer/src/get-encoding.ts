// getEncoding('gpt2'): the book's `tiktoken.get_encoding("gpt2")`, built once and cached.
import { Encoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import { GPT2_SPECIAL_TOKENS, gpt2RankTable } from './gpt2-ranks.js';

/** Names `getEncoding` knows. */
export type EncodingName = 'gpt2';

let gpt2: Encoding | undefined;

/** The named encoding (a cached singleton); only 'gpt2' (also called r50k_base) is bundled. */
export function getEncoding(name: EncodingName | string = 'gpt2'): Encoding {
  if (name === 'gpt2' || name === 'r50k_base')
    return (gpt2 ??= new Encoding('gpt2', gpt2RankTable(), GPT2_SPECIAL_TOKENS));
  throw new TokenizerError(`unknown encoding '${name}'; this package bundles 'gpt2'`);
}
