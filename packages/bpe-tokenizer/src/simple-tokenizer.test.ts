// The book's chapter 2 simple tokenizers, with the vocabulary sizes and ids printed in the book.
import { describe, expect, it } from 'vitest';
import { theVerdict } from '@llmfs/testing';
import {
  SimpleTokenizerV1,
  SimpleTokenizerV2,
  TokenizerError,
  UnknownTokenIdError,
  buildVocab,
  splitSimple,
} from './index.js';

describe('simple tokenizers (book 2.2-2.4)', () => {
  const text = theVerdict();

  it('the-verdict: 4690 pieces, a vocabulary of 1130 (1132 with the two specials)', () => {
    expect(text.length).toBe(20479);
    expect(splitSimple(text).length).toBe(4690);
    expect(splitSimple(text).slice(0, 5)).toEqual(['I', 'HAD', 'always', 'thought', 'Jack']);
    expect(buildVocab(text).size).toBe(1130);
    const v2 = SimpleTokenizerV2.fromText(text);
    expect(v2.vocabSize).toBe(1132);
    expect(v2.strToInt.get('<|endoftext|>')).toBe(1130);
    expect(v2.strToInt.get('<|unk|>')).toBe(1131);
  });

  it("V1 encodes the book's sample and decodes it back", () => {
    const v1 = new SimpleTokenizerV1(buildVocab(text));
    const sample = '"It\'s the last he painted, you know," Mrs. Gisburn said with pardonable pride.';
    const ids = v1.encode(sample);
    expect(ids).toEqual([
      1, 56, 2, 850, 988, 602, 533, 746, 5, 1126, 596, 5, 1, 67, 7, 38, 851, 1108, 754, 793, 7,
    ]);
    expect(v1.decode(ids)).toBe(
      '" It\' s the last he painted, you know," Mrs. Gisburn said with pardonable pride.',
    );
    expect(() => v1.encode('Hello, do you like tea?')).toThrow(UnknownTokenIdError);
    expect(() => v1.encode('Hello, do you like tea?')).toThrow(/'Hello'/);
    expect(() => v1.decode([5000])).toThrow(/id 5000/);
  });

  it("V2 maps unknown words to <|unk|> and knows <|endoftext|> (the book's sample)", () => {
    const v2 = SimpleTokenizerV2.fromText(text);
    const sample = 'Hello, do you like tea? <|endoftext|> In the sunlit terraces of the palace.';
    const ids = v2.encode(sample);
    expect(ids).toEqual([1131, 5, 355, 1126, 628, 975, 10, 1130, 55, 988, 956, 984, 722, 988, 1131, 7]);
    expect(v2.decode(ids)).toBe(
      '<|unk|>, do you like tea? <|endoftext|> In the sunlit terraces of the <|unk|>.',
    );
    expect(() => new SimpleTokenizerV2(buildVocab(text))).toThrow(TokenizerError);
  });
});
