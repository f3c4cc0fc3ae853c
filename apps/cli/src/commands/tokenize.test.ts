// `llmfs tokenize` / `llmfs detokenize` run in-process through commander (the same register() the
// binary uses); ids are checked against the tiktoken oracle and the book's counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { get_encoding } from 'tiktoken';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { fixturePath, makeTempDir, theVerdict } from '@llmfs/testing';
import { UserError } from '../common.js';
import { parseIds, register } from './tokenize.js';

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('llmfs tokenize', () => {
  it('--file the-verdict.txt --json reports 5145 GPT-2 tokens, the ids tiktoken gives', async () => {
    const out = await run('tokenize', '--file', fixturePath('data', 'the-verdict.txt'), '--json');
    expect(out.trim().split('\n')).toHaveLength(1); // one JSON object
    const res = JSON.parse(out);
    expect(res.count).toBe(5145);
    expect(res.encoding).toBe('gpt2');
    expect(res.characters).toBe(20479);
    const tk = get_encoding('gpt2');
    expect(res.ids).toEqual(Array.from(tk.encode(theVerdict())));
    tk.free();
  });

  it('TEXT prints the ids on one line', async () => {
    expect(await run('tokenize', 'Hello world')).toBe('15496 995\n');
  });

  it('special tokens: refused with a one-line hint, allowed with --allow-special', async () => {
    await expect(run('tokenize', 'a <|endoftext|> b')).rejects.toThrow(UserError);
    await expect(run('tokenize', 'a <|endoftext|> b')).rejects.toThrow(/--allow-special/);
    expect(await run('tokenize', 'a <|endoftext|> b', '--allow-special')).toBe('64 220 50256 275\n');
  });

  it("--encoding simple builds the book's V2 vocabulary from the text (1132 on the-verdict)", async () => {
    const res = JSON.parse(
      await run(
        'tokenize',
        '--file',
        fixturePath('data', 'the-verdict.txt'),
        '--encoding',
        'simple',
        '--json',
      ),
    );
    expect(res.vocabSize).toBe(1132);
    expect(res.count).toBe(4690);
  });

  it('bad input is a UserError naming the flag or value', async () => {
    await expect(run('tokenize', 'x', '--encoding', 'cl100k')).rejects.toThrow(
      /--encoding: expected gpt2 or simple, got 'cl100k'/,
    );
    await expect(run('tokenize', '--file', '/nonexistent/file.txt')).rejects.toThrow(
      /--file \/nonexistent\/file.txt: no such file/,
    );
    await expect(run('tokenize', 'x', '--file', fixturePath('data', 'the-verdict.txt'))).rejects.toThrow(
      /not both/,
    );
  });
});

describe('llmfs tokenize --out (uint16 token files)', () => {
  const tmp = makeTempDir('llmfs-tokenize-out-');
  afterAll(() => tmp.cleanup());
  const verdict = fixturePath('data', 'the-verdict.txt');
  const uint16 = (file: string) => {
    const b = fs.readFileSync(file);
    return Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16LE(2 * i));
  };

  it('--file the-verdict.txt writes its 5145 tiktoken ids as uint16 little-endian', async () => {
    const out = path.join(tmp.dir, 'verdict.bin');
    const res = JSON.parse(await run('tokenize', '--file', verdict, '--out', out, '--json'));
    expect(res).toEqual({ encoding: 'gpt2', count: 5145, files: 1, bytes: 10290, vocabSize: 50257, out });
    const tk = get_encoding('gpt2');
    expect(uint16(out)).toEqual(Array.from(tk.encode(theVerdict())));
    tk.free();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a folder of .txt files becomes one file with <|endoftext|> (50256) between documents', async () => {
    const docs = path.join(tmp.dir, 'docs');
    fs.mkdirSync(docs);
    fs.writeFileSync(path.join(docs, 'b.txt'), ' world');
    fs.writeFileSync(path.join(docs, 'a.txt'), 'Hello');
    const out = path.join(tmp.dir, 'docs.bin');
    expect(await run('tokenize', '--file', docs, '--out', out)).toBe(
      `wrote 3 tokens (2 documents, uint16) to ${out}\n`,
    );
    expect(uint16(out)).toEqual([15496, 50256, 995]);
  });

  it('TEXT goes to the file too; special tokens need --allow-special as when printing', async () => {
    const out = path.join(tmp.dir, 'text.bin');
    await run('tokenize', 'Hello world', '--out', out);
    expect(uint16(out)).toEqual([15496, 995]);
    await expect(run('tokenize', 'a <|endoftext|> b', '--out', out)).rejects.toThrow(/--allow-special/);
    expect(uint16(out)).toEqual([15496, 995]); // the failed run left the old file alone
    await run('tokenize', 'a <|endoftext|> b', '--allow-special', '--out', out);
    expect(uint16(out)).toEqual([64, 220, 50256, 275]);
  });

  it('bad paths and flags are UserErrors naming the flag, and leave nothing behind', async () => {
    const missingDir = path.join(tmp.dir, 'no', 'such');
    await expect(run('tokenize', '--file', verdict, '--out', path.join(missingDir, 'x.bin'))).rejects.toThrow(
      new RegExp(`--out .*x\\.bin: the folder ${missingDir} does not exist`),
    );
    await expect(run('tokenize', '--file', verdict, '--out', tmp.dir)).rejects.toThrow(
      /--out .*: is a folder/,
    );
    await expect(
      run('tokenize', '--file', path.join(tmp.dir, 'nope.txt'), '--out', path.join(tmp.dir, 'n.bin')),
    ).rejects.toThrow(/--file .*nope\.txt: no such file or folder/);
    await expect(
      run('tokenize', '--file', verdict, '--encoding', 'simple', '--out', path.join(tmp.dir, 's.bin')),
    ).rejects.toThrow(/--out writes GPT-2 token files/);
    const empty = path.join(tmp.dir, 'empty');
    fs.mkdirSync(empty);
    await expect(run('tokenize', '--file', empty, '--out', path.join(tmp.dir, 'e.bin'))).rejects.toThrow(
      /no \.txt files in/,
    );
    for (const f of ['n.bin', 's.bin', 'e.bin', 'e.bin.tmp'])
      expect(fs.existsSync(path.join(tmp.dir, f))).toBe(false);
  });
});

describe('llmfs detokenize', () => {
  it('ids in any of three spellings decode to the text', async () => {
    expect(JSON.parse(await run('detokenize', '15496', '995', '--json'))).toEqual({
      encoding: 'gpt2',
      count: 2,
      text: 'Hello world',
    });
    expect(JSON.parse(await run('detokenize', '[15496,', '995]', '--json')).text).toBe('Hello world');
    expect(JSON.parse(await run('detokenize', '15496,995', '--json')).text).toBe('Hello world');
    expect(await run('detokenize', '40', '367', '2885', '1464')).toBe('I HAD always');
  });

  it('round-trips tokenize output, including emoji split over several ids', async () => {
    const text = 'Streaming 👨‍👩‍👧 text\u0085 with odd\ufeff space';
    const { ids } = JSON.parse(await run('tokenize', text, '--json'));
    expect(JSON.parse(await run('detokenize', ...ids.map(String), '--json')).text).toBe(text);
  });

  it('unknown ids and non-numbers are errors', async () => {
    await expect(run('detokenize', '50257')).rejects.toThrow(/unknown token id 50257/);
    await expect(run('detokenize', '12', 'x1')).rejects.toThrow(/'x1' is not a token id/);
    expect(() => parseIds(['-3'])).toThrow(UserError);
  });

  it('--encoding simple decodes with the vocabulary of --vocab-from', async () => {
    const file = fixturePath('data', 'the-verdict.txt');
    const out = JSON.parse(
      await run('detokenize', '--encoding', 'simple', '--vocab-from', file, '--json', '1131', '5', '355'),
    );
    expect(out.text).toBe('<|unk|>, do');
    await expect(run('detokenize', '--encoding', 'simple', '5')).rejects.toThrow(/--vocab-from/);
  });
});

describe('the llmfs binary (needs the build: the Nx test target depends on it)', () => {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/llmfs.js');
  const llmfs = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('`llmfs tokenize --file the-verdict.txt --json` reports 5145 tokens', () => {
    const r = llmfs('tokenize', '--file', fixturePath('data', 'the-verdict.txt'), '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).count).toBe(5145);
  });

  it('`tokenize --out` into a missing folder exits 1 with one `llmfs: --out ...` line', () => {
    const r = llmfs('tokenize', 'Hello', '--out', '/nonexistent-llmfs/dir/x.bin');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'llmfs: --out /nonexistent-llmfs/dir/x.bin: the folder /nonexistent-llmfs/dir does not exist',
    ]);
  });

  it('user errors exit 1 with one line on stderr', () => {
    const r = llmfs('tokenize', 'a <|endoftext|> b');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^llmfs: .*'<\|endoftext\|>'.*--allow-special/),
    ]);
    const d = llmfs('detokenize', '15496', '995');
    expect(d.status).toBe(0);
    expect(d.stdout).toBe('Hello world');
  });
});
