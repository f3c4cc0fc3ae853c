// A byte-level BPE encoding in tiktoken's sense (ranks + pre-tokenizer + special tokens): encode,
// decode, decodeBytes and a streaming decoder. getEncoding('gpt2') and fromOpenAIFiles build one.
// Book: ch02 "byte pair encoding" (tiktoken.get_encoding("gpt2")).
import { bytePairMerge } from './byte-pair-merge.js';
import { DisallowedSpecialTokenError, TokenizerError, UnknownTokenIdError } from './errors.js';
import { nextPieceEnd } from './pre-tokenize.js';
import { ASCII_CLASS, LETTER } from './unicode-class.js';
import type { RankTable } from './rank-table.js';

/** Options of `encode`, as tiktoken's `allowed_special` / `disallowed_special`. */
export interface EncodeOptions {
  /** Special tokens to encode as their single id ('all' or a list); default none. */
  allowedSpecial?: 'all' | readonly string[];
  /** Special tokens that make `encode` throw; default 'all' (every special not allowed). `[]` encodes them as text. */
  disallowedSpecial?: 'all' | readonly string[];
}

/** An incremental decoder for streamed generation: text comes out only in whole characters. */
export interface StreamDecoder {
  /** Adds one token id; returns the text completed so far (possibly ''). */
  push(id: number): string;
  /** Ends the stream; returns what is left (incomplete bytes become U+FFFD). */
  flush(): string;
}

const encoder = new TextEncoder();
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

// Scratch for one piece's UTF-8 bytes.
let scratch = new Uint8Array(256);

/** A byte-level BPE encoding (GPT-2's when built by `getEncoding('gpt2')`). */
export class Encoding {
  /** Size of the id space: ranked tokens plus special tokens (50257 for GPT-2). */
  readonly nVocab: number;
  /** The `<|endoftext|>` id (50256 for GPT-2), or -1 when the encoding has none. */
  readonly eotToken: number;
  private readonly specialIds: Map<string, number>;
  private readonly specialBytes = new Map<number, Uint8Array>();

  constructor(
    /** Encoding name, e.g. 'gpt2'. */
    readonly name: string,
    /** The mergeable ranks. */
    readonly ranks: RankTable,
    specialTokens: Record<string, number> = {},
  ) {
    this.specialIds = new Map(Object.entries(specialTokens));
    let top = ranks.size;
    for (const [tok, id] of this.specialIds) {
      if (!Number.isInteger(id) || id < ranks.size) {
        throw new TokenizerError(
          `special token '${tok}': id ${id} collides with the ${ranks.size} ranked tokens`,
        );
      }
      this.specialBytes.set(id, encoder.encode(tok));
      top = Math.max(top, id + 1);
    }
    this.nVocab = top;
    this.eotToken = this.specialIds.get('<|endoftext|>') ?? -1;
  }

  /** Special token -> id. */
  get specialTokens(): ReadonlyMap<string, number> {
    return this.specialIds;
  }

  /**
   * Token ids of `text`, byte-exact with tiktoken. Special tokens in the text throw
   * `DisallowedSpecialTokenError` unless allowed (`{ allowedSpecial: ['<|endoftext|>'] }` or `'all'`).
   */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const allowed = this.specialSet(opts.allowedSpecial ?? [], 'allowedSpecial');
    const disallowed =
      opts.disallowedSpecial === undefined || opts.disallowedSpecial === 'all'
        ? [...this.specialIds.keys()].filter((t) => !allowed.has(t))
        : [...this.specialSet(opts.disallowedSpecial, 'disallowedSpecial')];
    let firstBad = -1;
    let badToken = '';
    for (const tok of disallowed) {
      const at = text.indexOf(tok);
      if (at >= 0 && (firstBad < 0 || at < firstBad)) {
        firstBad = at;
        badToken = tok;
      }
    }
    if (firstBad >= 0) throw new DisallowedSpecialTokenError(badToken, firstBad);
    const out: number[] = [];
    if (allowed.size === 0) {
      this.encodeRange(text, 0, text.length, out);
      return out;
    }
    // Ordinary text between allowed special tokens is encoded segment by segment (as tiktoken does, so
    // the pre-tokenizer's lookahead stops at the special token).
    const specials = [...allowed];
    const nextAt = specials.map((t) => text.indexOf(t));
    let start = 0;
    for (;;) {
      let best = -1;
      for (let s = 0; s < specials.length; s++) {
        if (nextAt[s] >= 0 && nextAt[s] < start) nextAt[s] = text.indexOf(specials[s], start);
        const at = nextAt[s];
        if (at < 0) continue;
        if (
          best < 0 ||
          at < nextAt[best] ||
          (at === nextAt[best] && specials[s].length > specials[best].length)
        )
          best = s;
      }
      const end = best < 0 ? text.length : nextAt[best];
      this.encodeRange(text, start, end, out);
      if (best < 0) return out;
      out.push(this.specialIds.get(specials[best])!);
      start = end + specials[best].length;
    }
  }

  /** Token ids of `text` with special tokens treated as plain text (tiktoken's encode_ordinary). */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    this.encodeRange(text, 0, text.length, out);
    return out;
  }

  private specialSet(list: 'all' | readonly string[], flag: string): Set<string> {
    if (list === 'all') return new Set(this.specialIds.keys());
    for (const t of list) {
      if (!this.specialIds.has(t)) {
        throw new TokenizerError(
          `${flag}: '${t}' is not a special token of ${this.name} (known: ${[...this.specialIds.keys()].join(', ') || 'none'})`,
        );
      }
    }
    return new Set(list);
  }

  /** Pre-tokenizes text[start..end) and pushes each piece's BPE tokens to `out`. */
  private encodeRange(text: string, start: number, end: number, out: number[]): void {
    const { pieces, byteToId } = this.ranks;
    let i = start;
    while (i < end) {
      // Fast path, fused scan + hash: " ?[A-Za-z]+" ending before ASCII or the end (most English pieces).
      {
        let k = i;
        let h = FNV_OFFSET;
        let c = text.charCodeAt(k);
        if (c === 32 && k + 1 < end) {
          h = Math.imul(h ^ 32, FNV_PRIME);
          c = text.charCodeAt(++k);
        }
        if (c < 128 && ASCII_CLASS[c] === LETTER) {
          do {
            h = Math.imul(h ^ c, FNV_PRIME);
            c = ++k < end ? text.charCodeAt(k) : 0;
          } while (k < end && c < 128 && ASCII_CLASS[c] === LETTER);
          if (k === end || c < 128) {
            const id = pieces.getHashed(text, i, k, h);
            if (id >= 0) {
              out.push(id);
              i = k;
              continue;
            }
          }
        }
      }
      const j = nextPieceEnd(text, i, end);
      const len = j - i;
      if (len === 1) {
        const c = text.charCodeAt(i);
        if (c < 128) {
          out.push(byteToId[c]);
          i = j;
          continue;
        }
      }
      // tiktoken first looks the whole piece up: a piece that is a token is that token.
      {
        const id = pieces.get(text, i, j);
        if (id >= 0) {
          out.push(id);
          i = j;
          continue;
        }
      }
      if (scratch.length < 3 * len) scratch = new Uint8Array(Math.max(3 * len, 2 * scratch.length));
      const bytes = scratch;
      let n = 0;
      let lone = false;
      for (let k = i; k < j; k++) {
        let cp = text.charCodeAt(k);
        if (cp < 0x80) {
          bytes[n++] = cp;
          continue;
        }
        if (cp < 0x800) {
          bytes[n++] = 0xc0 | (cp >> 6);
          bytes[n++] = 0x80 | (cp & 63);
          continue;
        }
        if (cp >= 0xd800 && cp <= 0xdfff) {
          const d = k + 1 < j ? text.charCodeAt(k + 1) : 0;
          if (cp <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
            k++;
            bytes[n++] = 0xf0 | (cp >> 18);
            bytes[n++] = 0x80 | ((cp >> 12) & 63);
            bytes[n++] = 0x80 | ((cp >> 6) & 63);
            bytes[n++] = 0x80 | (cp & 63);
            continue;
          }
          cp = 0xfffd; // a lone surrogate: what TextEncoder (and so tiktoken's WASM binding) sends
          lone = true;
        }
        bytes[n++] = 0xe0 | (cp >> 12);
        bytes[n++] = 0x80 | ((cp >> 6) & 63);
        bytes[n++] = 0x80 | (cp & 63);
      }
      if (lone) {
        const wellFormed = toWellFormed(text.slice(i, j));
        const id = pieces.get(wellFormed, 0, wellFormed.length);
        if (id >= 0) {
          out.push(id);
          i = j;
          continue;
        }
      }
      bytePairMerge(bytes, n, this.ranks, out);
      i = j;
    }
  }

  /** The bytes of one token id (ranked or special); throws `UnknownTokenIdError` for others. */
  tokenBytes(id: number): Uint8Array {
    if (Number.isInteger(id) && id >= 0 && id < this.ranks.size) return this.ranks.bytesOf(id);
    const s = this.specialBytes.get(id);
    if (s === undefined) throw new UnknownTokenIdError(id, this.name);
    return s;
  }

  /** The UTF-8 bytes of `ids` concatenated (exact, also for ids that end mid-character). */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const { size, offsets, pool } = this.ranks;
    let total = 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      total +=
        id >= 0 && id < size && Number.isInteger(id)
          ? offsets[id + 1] - offsets[id]
          : this.tokenBytes(id).length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (id >= 0 && id < size && Number.isInteger(id)) {
        const a = offsets[id];
        const b = offsets[id + 1];
        if (b - a === 1) out[at++] = pool[a];
        else {
          out.set(pool.subarray(a, b), at);
          at += b - a;
        }
      } else {
        const s = this.tokenBytes(id);
        out.set(s, at);
        at += s.length;
      }
    }
    return out;
  }

  /** Text of `ids` (invalid UTF-8, e.g. a cut-off character, becomes U+FFFD as in tiktoken's decode). */
  decode(ids: ArrayLike<number>): string {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.decodeBytes(ids));
  }

  /** A streaming decoder that holds back the bytes of an unfinished character until it is complete. */
  createDecoder(): StreamDecoder {
    const td = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      push: (id: number) => td.decode(this.tokenBytes(id), { stream: true }),
      flush: () => td.decode(),
    };
  }
}

function toWellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
