// Character classes of the GPT-2 pre-tokenizer, exactly as OpenAI's Rust regex sees them:
// \p{L}, \p{N} and \s = Unicode White_Space, from tables of tiktoken's Unicode version (16.0) shipped
// in unicode-ranges.ts. Not JavaScript's \s (it adds U+FEFF and drops U+0085), and not the engine's
// \p{...} either: Node 20.20 knows Unicode 17, whose new letters tiktoken still calls "other".
import { LETTER_RANGES, NUMBER_RANGES, SPACE_RANGES } from './unicode-ranges.js';

/** Class codes: anything else, letter (\p{L}), number (\p{N}), White_Space. */
export const OTHER = 0;
export const LETTER = 1;
export const NUMBER = 2;
export const SPACE = 3;

/** Decodes a range string into [start, end] pairs (inclusive). */
function decodeRanges(s: string): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const r of s.split(',')) {
    const dot = r.indexOf('.');
    const start = prev + parseInt(r.slice(0, dot), 36);
    const end = start + parseInt(r.slice(dot + 1), 36);
    out.push(start, end);
    prev = end;
  }
  return out;
}

/** Class of every BMP code unit (a lone surrogate is OTHER: tiktoken receives it as U+FFFD). */
const bmp = new Uint8Array(0x10000);
/** Astral ranges, sorted: starts, ends, classes. */
const astralStarts: number[] = [];
const astralEnds: number[] = [];
const astralClasses: number[] = [];
{
  const all: Array<[number, number, number]> = [];
  for (const [k, s] of [
    [LETTER, LETTER_RANGES],
    [NUMBER, NUMBER_RANGES],
    [SPACE, SPACE_RANGES],
  ] as const) {
    const r = decodeRanges(s);
    for (let i = 0; i < r.length; i += 2) all.push([r[i], r[i + 1], k]);
  }
  all.sort((a, b) => a[0] - b[0]);
  for (const [a, b, k] of all) {
    if (a < 0x10000) bmp.fill(k, a, Math.min(b, 0xffff) + 1);
    if (b >= 0x10000) {
      astralStarts.push(Math.max(a, 0x10000));
      astralEnds.push(b);
      astralClasses.push(k);
    }
  }
}

/** Class of a code point (surrogate pairs already combined). */
export function classOf(cp: number): number {
  if (cp < 0x10000) return bmp[cp];
  let lo = 0;
  let hi = astralStarts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < astralStarts[mid]) hi = mid - 1;
    else if (cp > astralEnds[mid]) lo = mid + 1;
    else return astralClasses[mid];
  }
  return OTHER;
}

/** The ASCII class table, for the pre-tokenizer's fast path. */
export const ASCII_CLASS: Uint8Array = bmp.subarray(0, 128);
