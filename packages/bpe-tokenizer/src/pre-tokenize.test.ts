// The hand-written scanner against the pattern itself, run by JavaScript's regex engine with
// \s spelled \p{White_Space} (what Rust's \s means), and against tiktoken on the spots where
// JavaScript's own \s differs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { theVerdict } from '@llmfs/testing';
import { GPT2_PATTERN, preTokenize } from './pre-tokenize.js';
import { LETTER, NUMBER, classOf } from './unicode-class.js';

// The regex oracle runs on this engine's Unicode (17.0 on Node 20.20); tiktoken, and so the scanner, use
// Unicode 16.0. Letters and numbers new in 17.0 are left out of the generated strings here (the encoding
// tests check them against tiktoken itself).
const engineClassAgrees = (ch: string) => {
  const cp = ch.codePointAt(0)!;
  const k = classOf(cp);
  return /\p{L}/u.test(ch) === (k === LETTER) && /\p{N}/u.test(ch) === (k === NUMBER);
};

const exact = new RegExp(
  GPT2_PATTERN.replace(/\\s/g, '\\p{White_Space}').replace(/\\S/g, '\\P{White_Space}'),
  'gu',
);
const jsStyle = new RegExp(GPT2_PATTERN, 'gu'); // js-tiktoken's reading: JavaScript's \s
const byRegex = (re: RegExp, s: string) => s.match(re) ?? [];

describe('preTokenize', () => {
  it('splits like the pattern on the-verdict', () => {
    const text = theVerdict();
    expect(preTokenize(text)).toEqual(byRegex(exact, text));
    expect(preTokenize(text).join('')).toBe(text);
  });

  it("follows Unicode White_Space, not JavaScript's \\s (U+FEFF is not space, U+0085 is)", () => {
    expect(preTokenize("\ufeff's")).toEqual(["\ufeff'", 's']);
    expect(byRegex(jsStyle, "\ufeff's")).toEqual(['\ufeff', "'s"]); // js-tiktoken's split, which is wrong
    expect(preTokenize('a\u0085\u0085b')).toEqual(['a', '\u0085', '\u0085', 'b']);
    expect(preTokenize('x  \u0085y')).toEqual(['x', '  ', '\u0085', 'y']);
    expect(preTokenize("  hello world's 123 !!x\n\n")).toEqual([
      ' ',
      ' hello',
      ' world',
      "'s",
      ' 123',
      ' !!',
      'x',
      '\n\n',
    ]);
  });

  it('property: same pieces as the White_Space-exact regex on any string', () => {
    const unit = fc.oneof(
      fc.constantFrom(
        ' ',
        '\n',
        '\u0085',
        '\u00a0',
        '\ufeff',
        '\u2028',
        "'",
        's',
        'll',
        'a',
        '1',
        '½',
        '!',
        '中',
        '😀',
        '\u200d',
      ),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    );
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
    fc.assert(
      // (two generated lone surrogates can pair up, so the filter runs on the joined string)
      fc.property(
        fc
          .array(unit, { maxLength: 40 })
          .map((a) => [...a.join('')].map((ch) => (engineClassAgrees(ch) ? ch : 'x')).join('')),
        (s) => {
          // A lone surrogate is U+FFFD to tiktoken (same length in UTF-16, so piece lengths compare).
          const pieces = preTokenize(s);
          expect(pieces.join('')).toBe(s);
          expect(pieces.map((p) => p.length)).toEqual(
            byRegex(exact, s.replace(lone, '\ufffd')).map((p) => p.length),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
