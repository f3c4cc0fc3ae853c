// BPE from scratch: training on the-verdict is deterministic, reaches the asked size, compresses, saves
// and loads, and (being byte-level) round-trips any well-formed string.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { theVerdict } from '@llmfs/testing';
import { BpeTokenizer, DisallowedSpecialTokenError, TokenizerError, getEncoding } from './index.js';
import { preTokenize } from './pre-tokenize.js';

describe("BpeTokenizer.train (the book's BPE bonus, byte-level)", () => {
  const text = theVerdict();
  const tok = BpeTokenizer.train(text, { vocabSize: 1000, specialTokens: ['<|endoftext|>'] });

  it('reaches vocabSize 1000 with <|endoftext|> last, and is deterministic', () => {
    expect(tok.vocabSize).toBe(1000);
    expect(tok.specialTokens).toEqual({ '<|endoftext|>': 999 });
    expect(tok.merges.length).toBeGreaterThanOrEqual(999 - 256);
    const again = BpeTokenizer.train(text, { vocabSize: 1000, specialTokens: ['<|endoftext|>'] });
    expect(JSON.stringify(again)).toBe(JSON.stringify(tok));
  });

  it('learns frequent words whole and compresses the training text', () => {
    const ids = tok.encode(text);
    expect(ids.length).toBeLessThan(new TextEncoder().encode(text).length / 2.5);
    expect(ids.length).toBeGreaterThan(getEncoding('gpt2').encode(text).length); // 1000 tokens < GPT-2's 50257
    expect(tok.encode(' the')).toHaveLength(1);
    expect(tok.decode(tok.encode(text))).toBe(text);
    // every learned token is the concatenation of its merge's two parts
    for (const [a, b, id] of tok.merges) {
      expect([...tok.tokens[id]]).toEqual([...tok.tokens[a], ...tok.tokens[b]]);
    }
    // no learned token crosses a pre-tokenizer boundary: each token's text is one piece
    const dec = new TextDecoder('utf-8', { fatal: true });
    for (const t of tok.tokens.slice(256)) {
      let s: string;
      try {
        s = dec.decode(t);
      } catch {
        continue;
      }
      expect(preTokenize(s)).toHaveLength(1);
    }
  });

  it('property: decode(encode(s)) === s for any well-formed string', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        (a, b) => {
          const s = a + ' the ' + b;
          expect(tok.decode(tok.encode(s))).toBe(s);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('saves to JSON and loads back to the same encoder', () => {
    const json = JSON.stringify(tok);
    const back = BpeTokenizer.fromJSON(json);
    expect(back.vocabSize).toBe(1000);
    const sample = text.slice(0, 3000) + ' <|endoftext|> 👋 Ünïcödé';
    expect(back.encode(sample, { allowedSpecial: 'all' })).toEqual(
      tok.encode(sample, { allowedSpecial: 'all' }),
    );
    expect(back.encode('<|endoftext|>', { allowedSpecial: 'all' })).toEqual([999]);
    expect(() => back.encode('<|endoftext|>')).toThrow(DisallowedSpecialTokenError);
    expect(() => BpeTokenizer.fromJSON({ ...JSON.parse(json), format: 'x' })).toThrow(TokenizerError);
  });

  it('refuses a vocabSize too small for the 256 bytes and the specials', () => {
    expect(() => BpeTokenizer.train(text, { vocabSize: 256, specialTokens: ['<|endoftext|>'] })).toThrow(
      /vocabSize must be/,
    );
  });
});
