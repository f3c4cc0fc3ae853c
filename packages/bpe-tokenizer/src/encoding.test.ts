// GPT-2 encoding against the oracle: the `tiktoken` package runs OpenAI's Rust core as WASM, so its ids
// are the reference; every assertion compares ids with it (not with values this package produced).
import fc from 'fast-check';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixtureText, theVerdict } from '@llmfs/testing';
import { DisallowedSpecialTokenError, TokenizerError, UnknownTokenIdError, getEncoding } from './index.js';

let tk: Tiktoken;
beforeAll(() => {
  tk = get_encoding('gpt2');
});
afterAll(() => tk.free());

const enc = getEncoding('gpt2');
const oracle = (s: string, allowed: 'all' | string[] = []) => Array.from(tk.encode(s, allowed, []));
const expectSame = (s: string) => expect(enc.encode(s, { disallowedSpecial: [] })).toEqual(oracle(s));

describe("getEncoding('gpt2') vs tiktoken", () => {
  it('the-verdict: 5145 tokens, ids equal, decodes back', () => {
    const text = theVerdict();
    const ids = enc.encode(text);
    expect(ids.length).toBe(5145);
    expect(ids).toEqual(oracle(text));
    expect(enc.decode(ids)).toBe(text);
    expect(ids.slice(0, 4)).toEqual([40, 367, 2885, 1464]); // the book's first batch
  });

  it('instruction-data.json: the whole file and every entry', () => {
    const raw = readFixtureText('data', 'instruction-data.json');
    expectSame(raw);
    for (const e of JSON.parse(raw) as Array<Record<string, string>>) {
      const s = `Below is an instruction.\n\n### Instruction:\n${e.instruction}\n\n### Input:\n${e.input}\n\n### Response:\n${e.output}`;
      expectSame(s);
    }
  });

  it('multilingual text', () => {
    for (const s of [
      'Größenwahn und Übermut — ça va? Ça ne va pas!',
      'Съешь же ещё этих мягких французских булок, да выпей чаю.',
      '我能吞下玻璃而不伤身体。日本語のテキスト、カタカナとひらがな。',
      '한국어 문장입니다. العربية من اليمين إلى اليسار. עברית ١٢٣ ٤٥٦',
      'हिन्दी में लिखा गया वाक्य। ภาษาไทยไม่มีช่องว่าง Ελληνικά: αβγ ΑΒΓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'e\u0301 (combining acute) vs é; ﬁ ligature; Ⅻ roman numeral; ½ ² ³ ٣',
    ])
      expectSame(s);
  });

  it('emoji, skin tones, flags and ZWJ sequences', () => {
    expectSame('👨‍👩‍👧‍👦 family, 👍🏽 thumbs, 🇫🇷🇯🇵 flags, 🏳️‍🌈, 🧑🏿‍💻 coder, ❤️‍🔥, 1️⃣ #️⃣');
    expectSame('😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘'.repeat(20));
  });

  it("odd white space: U+0085, U+00A0, U+2028, U+FEFF, CRLF, tabs, and JavaScript's \\s pitfalls", () => {
    expect(enc.encode("\ufeff's")).toEqual([171, 119, 123, 6, 82]); // docs/platform-notes.md: tiktoken's ids
    for (const s of [
      "\ufeff's",
      '\ufeffHello',
      'a\u0085b',
      'a \u0085 b',
      '\u0085\u0085x',
      'x\u00a0y \u00a0 z\u00a0\u00a0',
      'line\u2028next\u2029para',
      'a\r\nb\r\n\r\nc \r\n d',
      '\t\tindent\n\t x',
      'end with spaces   ',
      '   \n   \n',
      'a\u3000b\u2003c\u202fd\u205fe\u1680f\u200bg\u180eh',
      '\u000b\u000c\u001c\u001d\u001e\u001f',
      " 's 't 're 've 'm 'll 'd 'S 'x ''s",
      "don't I'll we've they're she'd he's it'll",
    ])
      expectSame(s);
  });

  it('long runs: spaces, newlines, letters, digits, punctuation, repeated words', () => {
    for (const s of [
      ' '.repeat(5000) + 'a',
      '\n'.repeat(3000),
      'a'.repeat(5000),
      '1234567890'.repeat(500),
      '!?'.repeat(3000),
      'x' + ' '.repeat(1000) + '\n'.repeat(1000) + 'y',
      'the '.repeat(2000),
      'ab'.repeat(3000) + ' ' + 'ba'.repeat(3000),
      '\u00e9'.repeat(2000),
      '🙂'.repeat(1000),
    ])
      expectSame(s);
  });

  // Its speed (linear, tiktoken ~4.6 s, js-tiktoken ~7 min) is checked by `npm run bench`, not here.
  it('worst case 100k spaces + 100k "a": ids equal at 20k + 20k, full size round-trips', () => {
    const small = ' '.repeat(20_000) + 'a'.repeat(20_000);
    expect(enc.encode(small)).toEqual(oracle(small)); // the oracle is quadratic: keep its input small
    const s = ' '.repeat(100_000) + 'a'.repeat(100_000);
    const ids = enc.encode(s);
    expect(enc.decode(ids)).toBe(s);
    expect(ids.slice(0, 99_999).every((id) => id === 220)).toBe(true); // GPT-2 has no multi-space tokens
  });

  it("classes follow tiktoken's Unicode 16.0: letters new in Unicode 17 count as 'other'", () => {
    // CJK Ext. J, Latin additions, Tolong Siki, Beria Erfe ... : \p{L} in Node 20.20 (Unicode 17), not in tiktoken.
    for (const cp of [
      0x323b0, 0x33479, 0xa7ce, 0xa7f1, 0x088f, 0x0c5c, 0x11db0, 0x1e6c0, 0x16ea0, 0x18d80, 0x2b73a,
    ]) {
      const c = String.fromCodePoint(cp);
      expectSame([c + "'s", 'a' + c + "'s", '1' + c + "'s", ' ' + c + c + "'ll x"].join('\n'));
    }
  });

  it('random code points in class-revealing contexts give tiktoken ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x80, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff),
        (cp) => {
          const c = String.fromCodePoint(cp);
          expectSame(
            [
              c + "'s",
              '.' + c + "'s",
              '1' + c + "'s",
              'a' + c + "'s",
              ' ' + c + "'s",
              'x' + c + ' \u0085',
            ].join('\n\n'),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  const interesting = [
    ' ',
    ' ',
    ' ',
    '\n',
    '\r',
    '\t',
    '\u0085',
    '\u00a0',
    '\u2028',
    '\u2029',
    '\u3000',
    '\ufeff',
    '\u200b',
    '\u200d',
    "'",
    's',
    't',
    're',
    've',
    'm',
    'll',
    'd',
    'a',
    'Z',
    '0',
    '9',
    '٣',
    '½',
    '.',
    ',',
    '!',
    '-',
    '<|endoftext|>',
    '<|',
    'é',
    'e\u0301',
    'ß',
    '中',
    'ア',
    '한',
    '😀',
    '👨‍👩‍👧',
    '🏽',
    '🇫🇷',
    '\u{1d518}',
    '\u{10ffff}',
    '\ue000',
  ];
  const unit = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...interesting) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) },
  );
  const wellFormed = fc.array(unit, { maxLength: 40 }).map((a) => a.join(''));

  it('property: ids equal tiktoken and decode(encode(s)) === s for well-formed strings', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        const ids = enc.encode(s, { disallowedSpecial: [] });
        expect(ids).toEqual(oracle(s));
        expect(enc.decode(ids)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: any UTF-16 string (lone surrogates too) gives tiktoken ids', () => {
    const anyUnit = fc.oneof(
      unit,
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(
        fc.array(anyUnit, { maxLength: 30 }).map((a) => a.join('')),
        (s) => {
          expect(enc.encode(s, { disallowedSpecial: [] })).toEqual(oracle(s));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('special tokens', () => {
  it('<|endoftext|> is 50256 when allowed, as in the book', () => {
    const s = 'Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace.';
    const ids = enc.encode(s, { allowedSpecial: ['<|endoftext|>'] });
    expect(ids).toEqual(oracle(s, ['<|endoftext|>']));
    expect(ids).toContain(50256);
    expect(enc.eotToken).toBe(50256);
    expect(enc.nVocab).toBe(50257);
    expect(enc.decode(ids)).toBe(s);
    for (const t of [
      '<|endoftext|><|endoftext|>x',
      'a  <|endoftext|>  b',
      '<|endoftext|>',
      'x\n\n<|endoftext|>',
    ]) {
      expect(enc.encode(t, { allowedSpecial: 'all' })).toEqual(oracle(t, 'all'));
    }
  });

  it('refused by default with a typed error that names the token and the option', () => {
    const s = 'text <|endoftext|> more';
    expect(() => enc.encode(s)).toThrow(DisallowedSpecialTokenError);
    expect(() => enc.encode(s)).toThrow(/'<\|endoftext\|>' at index 5.*allowedSpecial/);
    expect(() => tk.encode(s)).toThrow(); // the oracle refuses too
  });

  it('disallowedSpecial: [] encodes the token as plain text; unknown names are errors', () => {
    const s = 'a <|endoftext|> b';
    expect(enc.encode(s, { disallowedSpecial: [] })).toEqual(Array.from(tk.encode_ordinary(s)));
    expect(enc.encodeOrdinary(s)).toEqual(Array.from(tk.encode_ordinary(s)));
    expect(() => enc.encode(s, { allowedSpecial: ['<|nope|>'] })).toThrow(TokenizerError);
  });
});

describe('decoding', () => {
  it('decodeBytes matches tiktoken byte for byte, also mid-character', () => {
    const ids = enc.encode('héllo 👨‍👩‍👧 wörld');
    for (let k = 0; k <= ids.length; k++) {
      expect(enc.decodeBytes(ids.slice(0, k))).toEqual(
        new Uint8Array(tk.decode(new Uint32Array(ids.slice(0, k)))),
      );
    }
    expect(enc.decode(enc.encode('\ufeffBOM first'))).toBe('\ufeffBOM first'); // a leading BOM is kept
  });

  it('unknown ids are an error, not dropped', () => {
    expect(() => enc.decode([40, 50257])).toThrow(UnknownTokenIdError);
    expect(() => enc.decode([40, 50257])).toThrow(/id 50257/);
    expect(() => enc.decode([-1])).toThrow(UnknownTokenIdError);
    expect(() => enc.decodeBytes([1.5])).toThrow(UnknownTokenIdError);
  });

  it('the stream decoder never emits half a character and ends with the full text', () => {
    const text = 'Émojis 👨‍👩‍👧‍👦 and 中文 and 🇫🇷 — done.';
    const ids = enc.encode(text);
    // Some ids must end mid-character for the test to mean anything.
    expect(
      ids.some((id) => {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(enc.decodeBytes([id]));
          return false;
        } catch {
          return true;
        }
      }),
    ).toBe(true);
    const d = enc.createDecoder();
    const parts = ids.map((id) => d.push(id));
    parts.push(d.flush());
    for (const p of parts) {
      expect(p).not.toMatch(/\ufffd/);
      expect(p).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    }
    expect(parts.join('')).toBe(text);
    const cut = enc.createDecoder();
    cut.push(ids[ids.findIndex((id) => enc.decodeBytes([id])[0] === 0xf0)]);
    expect(cut.flush()).toBe('\ufffd'); // an unfinished character at the end shows as U+FFFD
    expect(() => enc.createDecoder().push(99999)).toThrow(UnknownTokenIdError);
  });
});
