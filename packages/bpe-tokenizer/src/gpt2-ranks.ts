// The GPT-2 rank table from js-tiktoken's bundled copy of OpenAI's "gpt2" ranks (50,256 tokens +
// <|endoftext|>). Only the data is used: the encoder itself is this package's.
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { TokenizerError } from './errors.js';
import { RankTable } from './rank-table.js';

/** GPT-2's special tokens. */
export const GPT2_SPECIAL_TOKENS: Record<string, number> = { '<|endoftext|>': 50256 };

const B64 = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/**
 * Parses js-tiktoken's compressed rank format straight into a byte pool: lines of
 * `<tag> <first id> <base64 token> ...`, consecutive tokens taking consecutive ids from 0.
 */
export function parseJsTiktokenRanks(
  text: string,
  what = 'js-tiktoken ranks',
): { pool: Uint8Array; offsets: Int32Array } {
  let fields = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) fields++;
  const pool = new Uint8Array(Math.ceil((text.length * 3) / 4));
  const offsets = new Int32Array(fields + 1);
  let n = 0;
  let at = 0;
  let i = 0;
  const bad = (msg: string) => new TokenizerError(`${what}: ${msg} at character ${i}`);
  while (i < text.length) {
    let eol = text.indexOf('\n', i);
    if (eol < 0) eol = text.length;
    if (eol === i) {
      i++;
      continue;
    }
    i = text.indexOf(' ', i) + 1; // skip the tag
    if (i <= 0 || i > eol) throw bad('a line without an id');
    let first = 0;
    while (i < eol && text.charCodeAt(i) !== 32) {
      const d = text.charCodeAt(i++) - 48;
      if (d < 0 || d > 9) throw bad('a bad id');
      first = first * 10 + d;
    }
    if (first !== n) throw bad(`ids out of order (${first} after ${n} tokens)`);
    while (i < eol) {
      i++; // the space before a token
      offsets[n++] = at;
      let acc = 0;
      let bits = 0;
      while (i < eol) {
        const c = text.charCodeAt(i);
        if (c === 32) break;
        i++;
        if (c === 61 /* = */) continue;
        const v = c < 128 ? B64[c] : -1;
        if (v < 0) throw bad('a bad base64 character');
        acc = ((acc << 6) | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          pool[at++] = (acc >> bits) & 0xff;
        }
      }
    }
    i = eol + 1;
  }
  offsets[n] = at;
  return { pool: pool.slice(0, at), offsets: offsets.slice(0, n + 1) };
}

let table: RankTable | undefined;

/** The GPT-2 rank table (built once). */
export function gpt2RankTable(): RankTable {
  if (!table) {
    const { pool, offsets } = parseJsTiktokenRanks(
      (gpt2 as { bpe_ranks: string }).bpe_ranks,
      'js-tiktoken gpt2 ranks',
    );
    table = new RankTable(pool, offsets);
  }
  return table;
}
