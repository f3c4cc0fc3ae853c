// GPT-2's pre-tokenizer as a hand-written scanner. It reproduces, match for match, OpenAI's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// run by Rust's regex engine (\s = Unicode White_Space), in linear time and without building a RegExp
// match object per piece. Book: ch02 "byte pair encoding"; the pattern is tiktoken's "gpt2" pat_str.
import { ASCII_CLASS, SPACE, classOf } from './unicode-class.js';

/** The pattern this scanner implements, as written in OpenAI's tiktoken. */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** Class of the code point starting at `i` (a lone surrogate counts as U+FFFD). */
function classAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_CLASS[c];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return classOf(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
  }
  return classOf(c);
}

/** End (exclusive) of the run of class `k` that starts at `i`. */
function runEnd(text: string, i: number, end: number, k: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (ASCII_CLASS[c] !== k) return i;
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (classOf(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000) !== k) return i;
        i += 2;
        continue;
      }
    }
    if (classOf(c) !== k) return i;
    i++;
  }
  return i;
}

/**
 * End (exclusive, a UTF-16 index) of the GPT-2 piece that starts at `i` in `text[..end)`.
 * `end` bounds the lookahead exactly as tiktoken bounds it at special tokens.
 */
export function nextPieceEnd(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x27 /* ' */ && i + 1 < end) {
    // 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive, tried before everything else)
    const d = text.charCodeAt(i + 1);
    if (d === 0x73 || d === 0x74 || d === 0x6d || d === 0x64) return i + 2; // s t m d
    if (i + 2 < end) {
      const e = text.charCodeAt(i + 2);
      if ((d === 0x72 && e === 0x65) || (d === 0x76 && e === 0x65) || (d === 0x6c && e === 0x6c))
        return i + 3; // re ve ll
    }
  }
  if (c === 0x20 && i + 1 < end) {
    //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+  with the optional space taken
    const k = classAt(text, i + 1, end);
    if (k !== SPACE) return runEnd(text, i + 1, end, k);
  }
  const k = classAt(text, i, end);
  if (k !== SPACE) return runEnd(text, i, end, k);
  // \s+(?!\S) | \s+ : a run of white space gives back its last character when text follows it,
  // so that the character (a space) can lead the next word. Every White_Space character is one code unit.
  const j = runEnd(text, i, end, SPACE);
  if (j === end || j - i === 1) return j;
  return j - 1;
}

/** Splits `text` into GPT-2 pre-tokenizer pieces (strings). */
export function preTokenize(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    const j = nextPieceEnd(text, i, text.length);
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}
