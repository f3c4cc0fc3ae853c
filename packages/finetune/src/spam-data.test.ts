import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@llmfs/testing';
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { DataFormatError } from './errors.js';
import {
  createBalancedDataset,
  parseSpamTsv,
  randomSplit,
  readSpamData,
  unzipSpamCollection,
} from './spam-data.js';
import { SpamDataset, createSpamDataLoader } from './spam-dataset.js';
import { makeTestTokenizer } from './test-tokenizer.fixture.js';

/** A synthetic SMSSpamCollection of the book's shape: 4825 ham, 747 spam, interleaved. */
function syntheticCollection(): string {
  const lines: string[] = [];
  let h = 0;
  let s = 0;
  for (let i = 0; h < 4825 || s < 747; i++) {
    if (s < 747 && (i % 7 === 3 || h >= 4825)) lines.push(`spam\tWIN a prize number ${s++} call now`);
    else lines.push(`ham\tsee you at ${h++} o'clock`);
  }
  return lines.join('\n') + '\n';
}

describe('SMS spam data (chapter 6.2)', () => {
  it('parses label<TAB>text rows, CRLF and blank lines included', () => {
    const rows = parseSpamTsv('ham\tGo until jurong point\r\nspam\tFree entry in 2 a wkly comp\tx\n\n');
    expect(rows).toEqual([
      { label: 0, text: 'Go until jurong point' },
      { label: 1, text: 'Free entry in 2 a wkly comp\tx' },
    ]);
  });

  it('names the line of a malformed row', () => {
    expect(() => parseSpamTsv('ham\tok\nspam no tab here\n', 'f.tsv')).toThrowError(DataFormatError);
    expect(() => parseSpamTsv('ham\tok\nspam no tab here\n', 'f.tsv')).toThrowError(
      /^f\.tsv:2: expected "label<TAB>text", found no tab$/,
    );
    expect(() => parseSpamTsv('ham\tok\n\nmaybe\ttext\n', 'f.tsv')).toThrowError(
      /^f\.tsv:3: unknown label 'maybe'/,
    );
    expect(() => parseSpamTsv('spam\t  \n', 'f.tsv')).toThrowError(/^f\.tsv:1: empty text$/);
  });

  it('balances 4825 ham + 747 spam to 747 + 747 and splits 70/10/20 into 1045/149/300', () => {
    const rows = parseSpamTsv(syntheticCollection());
    expect(rows.filter((r) => r.label === 0).length).toBe(4825);
    expect(rows.filter((r) => r.label === 1).length).toBe(747);
    const balanced = createBalancedDataset(rows, 123);
    expect(balanced.filter((r) => r.label === 0).length).toBe(747);
    expect(balanced.filter((r) => r.label === 1).length).toBe(747);
    expect(new Set(balanced.map((r) => r.text)).size).toBe(1494);
    // seeded: same seed, same sample; another seed, another sample
    expect(createBalancedDataset(rows, 123)).toEqual(balanced);
    expect(createBalancedDataset(rows, 7)).not.toEqual(balanced);
    const { train, val, test } = randomSplit(balanced, 0.7, 0.1, 123);
    expect([train.length, val.length, test.length]).toEqual([1045, 149, 300]);
    expect(new Set([...train, ...val, ...test]).size).toBe(1494);
    // shuffled, so both classes appear in every part
    for (const part of [train, val, test]) expect(new Set(part.map((r) => r.label)).size).toBe(2);
    // the book's loaders: batch 8, train drop_last -> 130 / 19 / 38 batches
    const tok = makeTestTokenizer();
    const trainDs = new SpamDataset(train, tok);
    expect(createSpamDataLoader(trainDs, { shuffle: true, dropLast: true }).length).toBe(130);
    expect(createSpamDataLoader(new SpamDataset(val, tok, { maxLength: trainDs.maxLength })).length).toBe(19);
    expect(createSpamDataLoader(new SpamDataset(test, tok, { maxLength: trainDs.maxLength })).length).toBe(
      38,
    );
  });

  it('reads the collection from a zip, a TSV file and a folder', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const text = 'ham\thello there\nspam\tWIN cash\n';
      const zip = zipSync({ SMSSpamCollection: strToU8(text), readme: strToU8('about') });
      expect(unzipSpamCollection(zip)).toBe(text);
      fs.writeFileSync(path.join(dir, 'sms+spam+collection.zip'), zip);
      const fromZip = await readSpamData(path.join(dir, 'sms+spam+collection.zip'));
      expect(fromZip).toEqual([
        { label: 0, text: 'hello there' },
        { label: 1, text: 'WIN cash' },
      ]);
      expect(await readSpamData(dir)).toEqual(fromZip);
      fs.writeFileSync(path.join(dir, 'SMSSpamCollection.tsv'), text);
      expect(await readSpamData(path.join(dir, 'SMSSpamCollection.tsv'))).toEqual(fromZip);
      fs.writeFileSync(path.join(dir, 'bad.zip'), zipSync({ SMSSpamCollection: strToU8('ham hello') }));
      await expect(readSpamData(path.join(dir, 'bad.zip'))).rejects.toThrowError(
        /bad\.zip!SMSSpamCollection:1: expected/,
      );
    } finally {
      cleanup();
    }
  });
});

describe('SpamDataset (chapter 6.3)', () => {
  const rows = [
    { label: 0, text: 'a b c' },
    { label: 1, text: 'a b c d e f' },
  ];

  it('pads with 50256 to the longest text and truncates to a given maxLength', () => {
    const tok = makeTestTokenizer();
    const ds = new SpamDataset(rows, tok);
    expect(ds.maxLength).toBe(11); // 'a',' ','b',... : 6 words + 5 spaces
    expect(ds.encodedTexts[0]).toEqual([...tok.encode('a b c'), ...new Array(6).fill(50256)]);
    const short = new SpamDataset(rows, tok, { maxLength: 3 });
    expect(short.encodedTexts[1]).toEqual(tok.encode('a b'));
    expect(new SpamDataset(rows, tok, { contextLength: 4 }).maxLength).toBe(4);
    const [batch] = createSpamDataLoader(ds, { batchSize: 2 });
    expect(batch.seqLen).toBe(11);
    expect(Array.from(batch.labels)).toEqual([0, 1]);
    expect(Array.from(batch.inputs.slice(11))).toEqual(ds.encodedTexts[1]);
  });
});
