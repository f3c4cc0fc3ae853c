// OpenAI's encoder.json + vocab.bpe give the same rank table, and so the same ids, as the bundled ranks.
import { describe, expect, it } from 'vitest';
import { readFixtureText, theVerdict } from '@llmfs/testing';
import { TokenizerError, fromOpenAIFiles, getEncoding } from './index.js';

const encoderJson = readFixtureText('data', 'gpt2', 'encoder.json');
const vocabBpe = readFixtureText('data', 'gpt2', 'vocab.bpe');

describe('fromOpenAIFiles', () => {
  const files = fromOpenAIFiles(encoderJson, vocabBpe);
  const bundled = getEncoding('gpt2');

  it('builds the identical rank table and special tokens', () => {
    expect(files.ranks.size).toBe(50256);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);
    expect(same(files.ranks.offsets, bundled.ranks.offsets)).toBe(true);
    expect(same(files.ranks.pool, bundled.ranks.pool)).toBe(true);
    expect(files.ranks.pairs.size).toBe(bundled.ranks.pairs.size);
    expect([...files.specialTokens]).toEqual([['<|endoftext|>', 50256]]);
    expect(files.nVocab).toBe(50257);
  });

  it('encodes the same ids', () => {
    for (const s of [
      theVerdict(),
      readFixtureText('data', 'instruction-data.json'),
      "\ufeff's 👨‍👩‍👧 a\u0085b",
    ]) {
      expect(files.encode(s)).toEqual(bundled.encode(s));
    }
    expect(files.encode('<|endoftext|>', { allowedSpecial: 'all' })).toEqual([50256]);
  });

  it('accepts a parsed encoder.json object', () => {
    expect(fromOpenAIFiles(JSON.parse(encoderJson), vocabBpe).encode('Hello world')).toEqual([15496, 995]);
  });

  it('refuses files that disagree, naming the file', () => {
    const enc = JSON.parse(encoderJson) as Record<string, number>;
    enc['Ġthe'] = 262 + 1;
    expect(() => fromOpenAIFiles(enc, vocabBpe)).toThrow(/encoder.json: token 'Ġthe' has id 263/);
    expect(() => fromOpenAIFiles(encoderJson, vocabBpe.replace('#version: 0.2', ''))).toThrow(/vocab.bpe/);
    const short = vocabBpe.split('\n').slice(0, 1000).join('\n');
    expect(() => fromOpenAIFiles(encoderJson, short)).toThrow(TokenizerError);
    expect(() => fromOpenAIFiles('{not json', vocabBpe)).toThrow(/encoder.json: not valid JSON/);
  });
});
