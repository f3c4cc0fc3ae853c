// Tokenize a folder of text files (or one text file) into one uint16 token file, <|endoftext|> between
// documents, a few MB of text in memory at a time (for corpora bigger than memory). Node only: node:fs is
// imported lazily so that browser bundles of this package never load it.
import { DataLoaderError, VocabularyTooLargeError } from './data-loader-error.js';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { checkInteger } from './check-options.js';
import { readTextChunks } from './text-chunks.js';
import { idsToUint16Bytes, MAX_UINT16_ID } from './uint16-bytes.js';

/** Default characters read and encoded at a time by writeTokenFile. */
export const DEFAULT_CHUNK_CHARS = 1 << 22;

/** The tokenizer a token file is written with: ids, vocabulary size and the document separator id. */
export interface TokenFileEncoding {
  encode(text: string): ArrayLike<number>;
  nVocab: number;
  eotToken: number;
}

/** Options of writeTokenFile. */
export interface WriteTokenFileOptions {
  /** Default: GPT-2 with `<|endoftext|>` allowed in the text (50,257 tokens, separator 50256). */
  encoding?: TokenFileEncoding;
  /** File name endings to include (searched recursively, sorted by path); default ['.txt']. */
  extensions?: string[];
  /**
   * Files are read and encoded about this many characters at a time, cut where GPT-2-style
   * pre-tokenization is unaffected (see readTextChunks); default 4,194,304. Memory use follows it, not
   * the file sizes. A custom `encoding` whose pre-tokenizer merges across whitespace needs a value above
   * its largest file.
   */
  chunkChars?: number;
}

/** What writeTokenFile wrote. */
export interface TokenFileSummary {
  files: number;
  tokens: number;
  bytes: number;
}

/** GPT-2 as a TokenFileEncoding (the book's allowed_special={"<|endoftext|>"}). */
export function gpt2TokenFileEncoding(): TokenFileEncoding {
  const enc = getEncoding('gpt2');
  return {
    encode: (text) => enc.encode(text, { allowedSpecial: ['<|endoftext|>'] }),
    nVocab: enc.nVocab,
    eotToken: enc.eotToken,
  };
}

/** Files under `dir` (recursive) whose names end in one of `extensions`, sorted by path. */
async function listTextFiles(dir: string, extensions: string[]): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && extensions.some((x) => e.name.endsWith(x)))
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

/**
 * Tokenizes every text file under `sourceDir` (recursive, sorted), or the one text file `sourceDir`
 * names, into the uint16 token file `outFile`, with the separator token between documents. Written to
 * `outFile.tmp`, then renamed.
 */
export async function writeTokenFile(
  sourceDir: string,
  outFile: string,
  opts: WriteTokenFileOptions = {},
): Promise<TokenFileSummary> {
  const fs = await import('node:fs/promises');
  const encoding = opts.encoding ?? gpt2TokenFileEncoding();
  if (encoding.nVocab - 1 > MAX_UINT16_ID)
    throw new VocabularyTooLargeError(encoding.nVocab, `writeTokenFile ${outFile}`);
  const extensions = opts.extensions ?? ['.txt'];
  const chunkChars = opts.chunkChars ?? DEFAULT_CHUNK_CHARS;
  checkInteger('chunkChars', chunkChars, 1);

  let stat;
  try {
    stat = await fs.stat(sourceDir);
  } catch {
    throw new DataLoaderError(
      `writeTokenFile: source ${sourceDir} does not exist; pass a folder of text files or one text file`,
    );
  }
  if (!stat.isDirectory() && !stat.isFile())
    throw new DataLoaderError(
      `writeTokenFile: ${sourceDir} is neither a folder nor a file; pass a folder of text files`,
    );
  // one text file given by name is taken whatever its ending
  const files = stat.isFile() ? [sourceDir] : await listTextFiles(sourceDir, extensions);
  if (files.length === 0) {
    throw new DataLoaderError(
      `writeTokenFile: no ${extensions.join('/')} files in ${sourceDir}; add text files or change extensions`,
    );
  }

  const tmp = `${outFile}.tmp`;
  const fh = await fs.open(tmp, 'w');
  let tokens = 0;
  let docs = 0;
  try {
    const separator = idsToUint16Bytes([encoding.eotToken], `writeTokenFile ${outFile}`);
    for (const file of files) {
      let started = false;
      for await (const text of readTextChunks(file, chunkChars)) {
        if (!started) {
          if (docs > 0) {
            await fh.write(separator);
            tokens += 1;
          }
          started = true;
          docs++;
        }
        const ids = encoding.encode(text);
        await fh.write(idsToUint16Bytes(ids, `writeTokenFile ${file}`));
        tokens += ids.length;
      }
    }
  } catch (e) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  if (tokens === 0) {
    await fs.rm(tmp, { force: true });
    throw new DataLoaderError(`writeTokenFile: every file in ${sourceDir} is empty; add text`);
  }
  await fs.rename(tmp, outFile);
  return { files: docs, tokens, bytes: 2 * tokens };
}
