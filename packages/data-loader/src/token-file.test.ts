// Token files: writeTokenFile (folder -> uint16, separator between documents) and the streaming loader,
// checked against the in-memory loader on a file many times larger than the read buffer.
import fs from 'node:fs';
import path from 'node:path';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { makeTempDir, theVerdict } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { openTokenFileDataset } from './token-file-dataset.js';
import {
  createDataLoaderV1,
  createTokenFileLoader,
  DataLoaderError,
  VocabularyTooLargeError,
  writeTokenFile,
  type Batch,
  type TokenFileEncoding,
} from './index.js';

/** A test tokenizer independent of the code under test: one id per character code, separator 0. */
const charEncoding: TokenFileEncoding = {
  encode: (t) => Array.from(t, (c) => c.charCodeAt(0)),
  nVocab: 256,
  eotToken: 0,
};

function readUint16(file: string): number[] {
  const b = fs.readFileSync(file);
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 2) out.push(b.readUInt16LE(i));
  return out;
}
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
function tmp(): string {
  const { dir, cleanup } = makeTempDir('llmfs-tokfile-');
  cleanups.push(cleanup);
  return dir;
}
const flat = (bs: Iterable<Batch>) =>
  [...bs].map((b) => [b.batchSize, Array.from(b.inputs), Array.from(b.targets)]);

describe('writeTokenFile', () => {
  it('writes uint16 little-endian ids with the separator between documents, files in sorted path order', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'src', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'b.txt'), 'bb');
    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'Az');
    fs.writeFileSync(path.join(dir, 'src', 'sub', 'c.txt'), 'c');
    fs.writeFileSync(path.join(dir, 'src', 'skip.md'), 'not me');
    fs.writeFileSync(path.join(dir, 'src', 'empty.txt'), '');
    const out = path.join(dir, 'corpus.bin');
    const summary = await writeTokenFile(path.join(dir, 'src'), out, { encoding: charEncoding });
    expect(summary).toEqual({ files: 3, tokens: 7, bytes: 14 });
    expect(readUint16(out)).toEqual([65, 122, 0, 98, 98, 0, 99]);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
  });

  it('takes one text file named as the source, whatever its ending, as a single document', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'notes.md'), 'Az');
    const out = path.join(dir, 'one.bin');
    const summary = await writeTokenFile(path.join(dir, 'notes.md'), out, { encoding: charEncoding });
    expect(summary).toEqual({ files: 1, tokens: 2, bytes: 4 });
    expect(readUint16(out)).toEqual([65, 122]);
  });

  it('defaults to GPT-2 with <|endoftext|> (50256) between documents; the-verdict gives 5145 tokens', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', '01.txt'), theVerdict());
    fs.writeFileSync(path.join(dir, 'docs', '02.txt'), 'Hello, world.<|endoftext|>Bye');
    const out = path.join(dir, 'gpt2.bin');
    const summary = await writeTokenFile(path.join(dir, 'docs'), out);
    const enc = getEncoding('gpt2');
    const second = enc.encode('Hello, world.<|endoftext|>Bye', { allowedSpecial: ['<|endoftext|>'] });
    expect(summary.tokens).toBe(5145 + 1 + second.length);
    const got = readUint16(out);
    expect(got[5145]).toBe(50256);
    expect(got.slice(0, 4)).toEqual([40, 367, 2885, 1464]);
    expect(got.slice(5146)).toEqual(second);
  });

  it('refuses vocabularies over 65535 ids with a typed error, writing nothing', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'hello');
    const out = path.join(dir, 'x.bin');
    const big = { ...charEncoding, nVocab: 70000 };
    await expect(writeTokenFile(dir, out, { encoding: big })).rejects.toThrow(VocabularyTooLargeError);
    await expect(writeTokenFile(dir, out, { encoding: big })).rejects.toThrow(
      /70000 tokens does not fit uint16/,
    );
    // an encoder that lies about its size is caught on the id itself
    const liar = { ...charEncoding, encode: () => [1, 70000] };
    await expect(writeTokenFile(dir, out, { encoding: liar })).rejects.toThrow(VocabularyTooLargeError);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.tmp`)).toBe(false);
    expect(new VocabularyTooLargeError(70000, 'x')).toBeInstanceOf(DataLoaderError);
  });

  it('says what is wrong with the source folder', async () => {
    const dir = tmp();
    await expect(
      writeTokenFile(path.join(dir, 'nope'), path.join(dir, 'x.bin'), { encoding: charEncoding }),
    ).rejects.toThrow(/does not exist/);
    await expect(writeTokenFile(dir, path.join(dir, 'x.bin'), { encoding: charEncoding })).rejects.toThrow(
      /no \.txt files in/,
    );
  });
});

describe('createTokenFileLoader', () => {
  // 20,000 tokens (40 KB) read through a 64-token (128-byte) buffer
  const ids = Array.from({ length: 20000 }, (_, i) => (i * 7919) % 65536);
  async function tokenFile(): Promise<string> {
    const dir = tmp();
    const file = path.join(dir, 'ids.bin');
    const b = Buffer.alloc(ids.length * 2);
    ids.forEach((id, i) => b.writeUInt16LE(id, i * 2));
    fs.writeFileSync(file, b);
    return file;
  }

  it.each([
    [false, true],
    [true, true],
    [true, false],
    [false, false],
  ])(
    'gives the same batches as createDataLoaderV1 (shuffle %s, dropLast %s) with a bounded buffer',
    async (shuffle, dropLast) => {
      const file = await tokenFile();
      const opts = { batchSize: 5, maxLength: 16, stride: 9, shuffle, dropLast, seed: 42, bufferTokens: 64 };
      const loader = await createTokenFileLoader(file, opts);
      try {
        const mem = createDataLoaderV1(ids, opts);
        expect(loader.length).toBe(mem.length);
        expect(fs.statSync(file).size).toBeGreaterThan(100 * 2 * 64);
        expect(flat(loader.batches({ epoch: 1 }))).toEqual(flat(mem.batches({ epoch: 1 })));
        expect(flat(loader.batches({ epoch: 2, startBatch: 17 }))).toEqual(
          flat(mem.batches({ epoch: 2, startBatch: 17 })),
        );
        const { stats } = loader.dataset;
        expect(stats.largestReadBytes).toBeLessThanOrEqual(2 * 64);
        expect(stats.reads).toBeGreaterThan(100);
      } finally {
        loader.close();
      }
    },
  );

  it('reads ahead on sequential access (far fewer reads than windows)', async () => {
    const file = await tokenFile();
    const loader = await createTokenFileLoader(file, {
      batchSize: 4,
      maxLength: 8,
      stride: 8,
      shuffle: false,
      bufferTokens: 1024,
    });
    for (const _ of loader.batches()) void _;
    // 2499 windows of 9 tokens over 20,000 tokens: ~20 buffer fills of 1024 tokens, not 2499 reads
    expect(loader.dataset.stats.reads).toBeLessThan(40);
    expect(loader.dataset.stats.largestReadBytes).toBe(2048);
    loader.close();
    expect(() => [...loader.batches()]).toThrow(/is closed/);
  });

  it('typed errors: missing file, odd size, too few tokens', async () => {
    const file = await tokenFile();
    const dir = path.dirname(file);
    await expect(createTokenFileLoader(path.join(dir, 'none.bin'))).rejects.toThrow(/cannot be opened/);
    fs.writeFileSync(path.join(dir, 'odd.bin'), Buffer.alloc(7));
    await expect(createTokenFileLoader(path.join(dir, 'odd.bin'))).rejects.toThrow(/odd size \(7 bytes\)/);
    fs.writeFileSync(path.join(dir, 'short.bin'), Buffer.alloc(8));
    await expect(openTokenFileDataset(path.join(dir, 'short.bin'), 4, 1)).rejects.toThrow(DataLoaderError);
    await expect(createTokenFileLoader(path.join(dir, 'short.bin'), { maxLength: 4 })).rejects.toThrow(
      /4 tokens are too few/,
    );
    await expect(createTokenFileLoader(file, { stride: 0 })).rejects.toThrow(
      /stride must be an integer >= 1/,
    );
  });

  it('round trip: a folder written by writeTokenFile loads back as the same ids', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'docs'));
    fs.writeFileSync(path.join(dir, 'docs', '1.txt'), 'the quick brown fox');
    fs.writeFileSync(path.join(dir, 'docs', '2.txt'), 'jumps over the lazy dog');
    const out = path.join(dir, 'c.bin');
    await writeTokenFile(path.join(dir, 'docs'), out, { encoding: charEncoding });
    const want = [
      ...Array.from(charEncoding.encode('the quick brown fox')),
      0,
      ...Array.from(charEncoding.encode('jumps over the lazy dog')),
    ];
    const loader = await createTokenFileLoader(out, {
      batchSize: 1,
      maxLength: want.length - 1,
      stride: 1,
      shuffle: false,
      bufferTokens: 8,
    });
    const [b] = loader.batches();
    expect(Array.from(b.inputs)).toEqual(want.slice(0, -1));
    expect(Array.from(b.targets)).toEqual(want.slice(1));
    loader.close();
  });
});
