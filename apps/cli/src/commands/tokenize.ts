// `llmfs tokenize` / `llmfs detokenize` (book ch02): text -> GPT-2 token ids and back, or the book's
// SimpleTokenizerV2 with a vocabulary built from the input text itself. `tokenize --out FILE.bin` writes
// a uint16 token file (@llmfs/data-loader's writeTokenFile) for token-file loaders and PyTorch's twin.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  DisallowedSpecialTokenError,
  SimpleTokenizerV2,
  getEncoding,
  type Encoding,
} from '@llmfs/bpe-tokenizer';
import { writeTokenFile, type TokenFileEncoding } from '@llmfs/data-loader';
import { UserError, printJson } from '../common.js';

const ENCODINGS = ['gpt2', 'simple'] as const;
type EncodingFlag = (typeof ENCODINGS)[number];

function checkEncoding(name: string): EncodingFlag {
  if (!(ENCODINGS as readonly string[]).includes(name))
    throw new UserError(`--encoding: expected gpt2 or simple, got '${name}'`);
  return name as EncodingFlag;
}

function readFileText(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      `${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message}`,
    );
  }
}

/** Text from TEXT, --file, or a pipe on stdin (exactly one of them). */
function inputText(text: string | undefined, file: string | undefined): string {
  if (text !== undefined && file !== undefined) throw new UserError('give either TEXT or --file, not both');
  if (file !== undefined) return readFileText(file, '--file');
  if (text !== undefined) return text;
  if (process.stdin.isTTY)
    throw new UserError('nothing to tokenize: give TEXT, --file F, or pipe text on stdin');
  return fs.readFileSync(0, 'utf8');
}

/** Token ids from arguments such as `40 367`, `40,367` or `[40, 367]` (or stdin when none). */
export function parseIds(args: string[]): number[] {
  let raw = args.join(' ');
  if (args.length === 0) {
    if (process.stdin.isTTY)
      throw new UserError('nothing to detokenize: give token ids, e.g. `llmfs detokenize 15496 995`');
    raw = fs.readFileSync(0, 'utf8');
  }
  const parts = raw
    .replace(/[[\],]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (parts.length === 0) throw new UserError('no token ids given');
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new UserError(`IDS: '${p}' is not a token id (a non-negative integer)`);
    return Number(p);
  });
}

interface TokenizeOptions {
  file?: string;
  encoding: string;
  allowSpecial?: boolean;
  json?: boolean;
  out?: string;
}

/** The one-line error for a special token in text that did not allow it. */
function specialTokenError(err: DisallowedSpecialTokenError, enc: Encoding): UserError {
  return new UserError(
    `the text contains the special token '${err.token}' at index ${err.index}; add --allow-special to encode it as token ${enc.specialTokens.get(err.token)}`,
  );
}

/** Runs `llmfs tokenize`; returns the JSON object it prints with --json. */
export function tokenizeCommand(text: string | undefined, opts: TokenizeOptions): Record<string, unknown> {
  const encoding = checkEncoding(opts.encoding);
  const input = inputText(text, opts.file);
  let ids: number[];
  let vocabSize: number;
  if (encoding === 'gpt2') {
    const enc = getEncoding('gpt2');
    try {
      ids = enc.encode(input, { allowedSpecial: opts.allowSpecial ? 'all' : [] });
    } catch (err) {
      if (err instanceof DisallowedSpecialTokenError) throw specialTokenError(err, enc);
      throw err;
    }
    vocabSize = enc.nVocab;
  } else {
    // The book's SimpleTokenizerV2 needs a vocabulary: it is built from the input text itself.
    const tok = SimpleTokenizerV2.fromText(input);
    ids = tok.encode(input);
    vocabSize = tok.vocabSize;
  }
  const result = {
    encoding,
    count: ids.length,
    characters: input.length,
    bytes: Buffer.byteLength(input, 'utf8'),
    vocabSize,
    ids,
  };
  if (opts.json) printJson(result);
  else process.stdout.write(ids.join(' ') + '\n');
  return result;
}

/** Checks `--out FILE`: not a folder, and its folder exists (so no write fails half-way). */
function checkOutFile(out: string): void {
  if (fs.existsSync(out) && fs.statSync(out).isDirectory())
    throw new UserError(
      `--out ${out}: is a folder; give a file name such as ${path.join(out, 'tokens.bin')}`,
    );
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UserError(`--out ${out}: the folder ${dir} does not exist`);
}

/**
 * Runs `llmfs tokenize --out FILE.bin`: GPT-2 ids of --file (a text file or a folder of .txt files,
 * <|endoftext|> between documents), TEXT or stdin as uint16 little-endian, written atomically.
 */
export async function tokenizeToFile(
  text: string | undefined,
  opts: TokenizeOptions & { out: string },
): Promise<Record<string, unknown>> {
  if (checkEncoding(opts.encoding) !== 'gpt2')
    throw new UserError(
      `--out writes GPT-2 token files; --encoding ${opts.encoding} has no fixed vocabulary to write`,
    );
  checkOutFile(opts.out);
  if (text !== undefined && opts.file !== undefined)
    throw new UserError('give either TEXT or --file, not both');
  if (opts.file !== undefined && !fs.existsSync(opts.file))
    throw new UserError(`--file ${opts.file}: no such file or folder`);
  const enc = getEncoding('gpt2');
  const encoding: TokenFileEncoding = {
    encode: (t) => enc.encode(t, { allowedSpecial: opts.allowSpecial ? 'all' : [] }),
    nVocab: enc.nVocab,
    eotToken: enc.eotToken,
  };
  // TEXT and stdin go through a temporary file so that every input takes the same writer
  const tmp = opts.file === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-tokenize-')) : undefined;
  let summary;
  try {
    let source = opts.file!;
    if (tmp) {
      source = path.join(tmp, 'input.txt');
      fs.writeFileSync(source, inputText(text, undefined));
    }
    summary = await writeTokenFile(source, opts.out, { encoding });
  } catch (err) {
    if (err instanceof DisallowedSpecialTokenError) throw specialTokenError(err, enc);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new UserError(`--out ${opts.out}: ${(err as Error).message}`);
    throw err;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
  const result = {
    encoding: 'gpt2',
    count: summary.tokens,
    files: summary.files,
    bytes: summary.bytes,
    vocabSize: enc.nVocab,
    out: opts.out,
  };
  if (opts.json) printJson(result);
  else
    process.stdout.write(
      `wrote ${summary.tokens} tokens (${summary.files} document${summary.files === 1 ? '' : 's'}, uint16) to ${opts.out}\n`,
    );
  return result;
}

interface DetokenizeOptions {
  encoding: string;
  vocabFrom?: string;
  json?: boolean;
}

/** Runs `llmfs detokenize`; returns the decoded text. */
export function detokenizeCommand(args: string[], opts: DetokenizeOptions): string {
  const encoding = checkEncoding(opts.encoding);
  const ids = parseIds(args);
  let text: string;
  if (encoding === 'gpt2') {
    if (opts.vocabFrom !== undefined) throw new UserError('--vocab-from is for --encoding simple only');
    text = getEncoding('gpt2').decode(ids);
  } else {
    if (opts.vocabFrom === undefined)
      throw new UserError(
        '--encoding simple needs --vocab-from FILE (the text its vocabulary was built from)',
      );
    text = SimpleTokenizerV2.fromText(readFileText(opts.vocabFrom, '--vocab-from')).decode(ids);
  }
  if (opts.json) printJson({ encoding, count: ids.length, text });
  else process.stdout.write(process.stdout.isTTY ? text + '\n' : text);
  return text;
}

/** Adds `tokenize` and `detokenize` to the program. */
export function register(program: Command): void {
  program
    .command('tokenize')
    .description(
      "turn text into token ids (GPT-2 BPE, byte-exact with tiktoken; or the book's simple tokenizer)",
    )
    .argument('[TEXT]', 'the text (or use --file, or pipe it on stdin)')
    .option('-f, --file <path>', 'read the text from a file (UTF-8); with --out also a folder of .txt files')
    .option(
      '-e, --encoding <name>',
      'gpt2 | simple (SimpleTokenizerV2, vocabulary built from the input text)',
      'gpt2',
    )
    .option(
      '--allow-special',
      "encode special tokens such as <|endoftext|> as their single id (the book's allowed_special)",
    )
    .option(
      '-o, --out <file>',
      'write the GPT-2 ids as a uint16 token file (<|endoftext|> between documents) instead of printing them',
    )
    .option(
      '--json',
      'print one JSON object: {"encoding","count","characters","bytes","vocabSize","ids"} ({..., "files", "out"} with --out)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  llmfs tokenize "Hello world"\n  llmfs tokenize --file the-verdict.txt --json\n  llmfs tokenize --file corpus/ --out corpus.bin',
    )
    .action(async (text: string | undefined, opts: TokenizeOptions) => {
      if (opts.out !== undefined) await tokenizeToFile(text, { ...opts, out: opts.out });
      else tokenizeCommand(text, opts);
    });
  program
    .command('detokenize')
    .description('turn token ids back into text')
    .argument('[IDS...]', 'token ids: "15496 995", "15496,995" or "[15496, 995]" (or piped on stdin)')
    .option('-e, --encoding <name>', 'gpt2 | simple', 'gpt2')
    .option('--vocab-from <file>', 'with --encoding simple: the text the vocabulary was built from')
    .option('--json', 'print one JSON object: {"encoding","count","text"}')
    .action((ids: string[], opts: DetokenizeOptions) => {
      detokenizeCommand(ids, opts);
    });
}
