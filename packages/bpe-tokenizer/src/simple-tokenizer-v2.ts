// SimpleTokenizerV2 (book ch02, section 2.4): like V1, but unknown words become <|unk|>, and
// <|endoftext|> separates documents. Its vocabulary is buildVocab(text, ['<|endoftext|>', '<|unk|>']).
import { buildVocab } from './build-vocab.js';
import { SimpleTokenizerV1 } from './simple-tokenizer-v1.js';
import { TokenizerError } from './errors.js';

/** The two special tokens the book appends to the vocabulary. */
export const SIMPLE_SPECIAL_TOKENS = ['<|endoftext|>', '<|unk|>'] as const;

/** The book's SimpleTokenizerV2: unknown words -> `<|unk|>`. */
export class SimpleTokenizerV2 extends SimpleTokenizerV1 {
  constructor(vocab: Map<string, number> | Record<string, number>) {
    super(vocab);
    if (!this.strToInt.has('<|unk|>')) {
      throw new TokenizerError(
        "SimpleTokenizerV2: the vocabulary has no '<|unk|>' entry; build it with buildVocab(text, ['<|endoftext|>', '<|unk|>'])",
      );
    }
  }

  /** A V2 tokenizer whose vocabulary is `text`'s words plus `<|endoftext|>` and `<|unk|>` (1132 on the-verdict). */
  static fromText(text: string): SimpleTokenizerV2 {
    return new SimpleTokenizerV2(buildVocab(text, SIMPLE_SPECIAL_TOKENS));
  }

  protected override preprocess(text: string): string[] {
    return super.preprocess(text).map((w) => (this.strToInt.has(w) ? w : '<|unk|>'));
  }
}
