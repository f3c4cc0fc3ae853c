// `llmfs tokenize` / `llmfs detokenize` (book ch02): text -> GPT-2 token ids and back, or the book's
// SimpleTokenizerV2 with a vocabulary built from the input text itself.
import fs from 'node:fs';
import type { Command } from 'commander';
import { DisallowedSpecialTokenError, SimpleTokenizerV2, getEncoding } from '@llmfs/bpe-tokenizer';
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
      if (err instanceof DisallowedSpecialTokenError) {
        throw new UserError(
          `the text contains the special token '${err.token}' at index ${err.index}; add --allow-special to encode it as token ${enc.specialTokens.get(err.token)}`,
        );
      }
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
    .option('-f, --file <path>', 'read the text from a file (UTF-8)')
    .option(
      '-e, --encoding <name>',
      'gpt2 | simple (SimpleTokenizerV2, vocabulary built from the input text)',
      'gpt2',
    )
    .option(
      '--allow-special',
      "encode special tokens such as <|endoftext|> as their single id (the book's allowed_special)",
    )
    .option('--json', 'print one JSON object: {"encoding","count","characters","bytes","vocabSize","ids"}')
    .addHelpText(
      'after',
      '\nExamples:\n  llmfs tokenize "Hello world"\n  llmfs tokenize --file the-verdict.txt --json',
    )
    .action((text: string | undefined, opts: TokenizeOptions) => {
      tokenizeCommand(text, opts);
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
