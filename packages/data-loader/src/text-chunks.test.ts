// Chunked reading for large files: the pieces tokenize (GPT-2) exactly as the whole text does.
import fs from 'node:fs';
import path from 'node:path';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { makeTempDir, theVerdict } from '@llmfs/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTokenFile } from './index.js';
import { readTextChunks, safeSplitPoint } from './text-chunks.js';

const { dir, cleanup } = makeTempDir('llmfs-chunks-');
afterAll(cleanup);

// Whitespace runs, CRLF, non-ASCII, emoji and U+FEFF/U+0085/U+2028 around newlines: the places where
// a careless cut would change GPT-2's pre-tokenization.
const tricky = [
  'plain line\nnext line',
  'spaces before  \nnewline',
  'double\n\nnewline',
  'crlf\r\nline',
  'émoji 👩‍👩‍👧 here\n🙂 starts',
  'bom\n\uFEFFword',
  'nel\u0085and\u2028ls',
  '    indented\n\tTabbed',
  "it's\n'quoted'\n123\n!!",
  'end <|endoftext|> start',
].join('\n');

describe('safeSplitPoint', () => {
  it('cuts before the last ASCII whitespace of a run that a printable ASCII character follows', () => {
    expect(safeSplitPoint('hello world')).toBe(5);
    expect(safeSplitPoint('ab\ncd')).toBe(2);
    expect(safeSplitPoint('ab \ncd')).toBe(3);
    expect(safeSplitPoint('ab\n\ncd')).toBe(3);
    expect(safeSplitPoint('ab\n éd')).toBe(-1);
    expect(safeSplitPoint('é\u00a0é')).toBe(-1);
    expect(safeSplitPoint('a b c', 3)).toBe(3);
    expect(safeSplitPoint('a b c', 4)).toBe(-1);
    expect(safeSplitPoint('abc ')).toBe(-1);
  });
});

describe('safeSplitPoint + GPT-2', () => {
  const enc = getEncoding('gpt2');
  const encode = (t: string) => enc.encode(t, { allowedSpecial: ['<|endoftext|>'] });
  const alphabet = [
    'a',
    'Z',
    'é',
    '中',
    '7',
    '.',
    "'",
    's',
    '!',
    ' ',
    ' ',
    '  ',
    '\n',
    '\n\n',
    '\t',
    '\r\n',
    '\u00a0',
    '\ufeff',
    '\u0085',
    '\u2028',
    '🙂',
    '<|endoftext|>',
  ];

  it('encoding the pieces between safe split points equals encoding the whole (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 60 }).map((a) => a.join('')),
        fc.array(fc.nat(), { maxLength: 5 }),
        (text, mins) => {
          const pieces: string[] = [];
          let rest = text;
          for (const m of mins) {
            const k = safeSplitPoint(rest, m % Math.max(1, rest.length));
            if (k < 0) break;
            pieces.unshift(rest.slice(k));
            rest = rest.slice(0, k);
          }
          pieces.unshift(rest);
          expect(pieces.join('')).toBe(text);
          expect(pieces.flatMap((p) => encode(p))).toEqual(encode(text));
        },
      ),
      { numRuns: 400, seed: 2 },
    );
  });
});

describe('readTextChunks + writeTokenFile', () => {
  const text = Array.from(
    { length: 6 },
    (_, i) => `${tricky}\n${theVerdict().slice(i * 3000, i * 3000 + 3000)}`,
  ).join('\n');

  it('yields several pieces that join to the file text', async () => {
    const file = path.join(dir, 'big.txt');
    fs.writeFileSync(file, text);
    const pieces: string[] = [];
    for await (const p of readTextChunks(file, 700)) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(10);
    expect(pieces.join('')).toBe(text);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1800);
  });

  it('a chunked token file equals GPT-2 on the whole text', async () => {
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', 'big.txt'), text);
    const out = path.join(dir, 'big.bin');
    const want = getEncoding('gpt2').encode(text, { allowedSpecial: ['<|endoftext|>'] });
    for (const chunkChars of [64, 500, 4096]) {
      const summary = await writeTokenFile(path.join(dir, 'docs'), out, { chunkChars });
      const b = fs.readFileSync(out);
      const got = Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16LE(2 * i));
      expect(summary.tokens).toBe(want.length);
      expect(got).toEqual(want);
    }
  });
});
