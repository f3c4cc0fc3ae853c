// SimpleTokenizerV1 (book ch02, section 2.3): word-level encode/decode with a fixed vocabulary;
// a word outside the vocabulary is an error.
import { splitSimple } from './build-vocab.js';
import { UnknownTokenIdError } from './errors.js';

/** The book's SimpleTokenizerV1: `new SimpleTokenizerV1(buildVocab(text))`. */
export class SimpleTokenizerV1 {
  /** Token -> id (the book's `str_to_int`). */
  readonly strToInt: Map<string, number>;
  /** Id -> token (the book's `int_to_str`). */
  readonly intToStr: Map<number, string>;

  constructor(vocab: Map<string, number> | Record<string, number>) {
    this.strToInt = vocab instanceof Map ? new Map(vocab) : new Map(Object.entries(vocab));
    this.intToStr = new Map([...this.strToInt].map(([s, i]) => [i, s]));
  }

  /** Number of entries in the vocabulary. */
  get vocabSize(): number {
    return this.strToInt.size;
  }

  /** Ids of the words of `text`; throws `UnknownTokenIdError` naming a word not in the vocabulary. */
  encode(text: string): number[] {
    return this.preprocess(text).map((w) => {
      const id = this.strToInt.get(w);
      if (id === undefined) throw new UnknownTokenIdError(w, 'simple');
      return id;
    });
  }

  /** Words of `text` as the vocabulary sees them (V2 overrides this to map unknowns to <|unk|>). */
  protected preprocess(text: string): string[] {
    return splitSimple(text);
  }

  /** Joins the words with spaces, then removes the space before punctuation (book: `\s+([,.?!"()'])`). */
  decode(ids: ArrayLike<number>): string {
    const words: string[] = [];
    for (let k = 0; k < ids.length; k++) {
      const w = this.intToStr.get(ids[k]);
      if (w === undefined) throw new UnknownTokenIdError(ids[k], 'simple');
      words.push(w);
    }
    return words.join(' ').replace(/\s+([,.?!"()'])/g, '$1');
  }
}
