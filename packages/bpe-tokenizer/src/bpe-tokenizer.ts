// BPE from scratch (the book's BPE bonus, byte-level like GPT-2): learn merges on a text after GPT-2's
// pre-tokenization, then encode/decode with the same tiktoken-exact machinery as getEncoding('gpt2').
// Bytes are ids 0..255, learned tokens follow in training order, special tokens come last.
import { base64ToBytes } from './base64.js';
import { BYTE_VALUES } from './bytes-to-unicode.js';
import { Encoding, type EncodeOptions } from './encoding.js';
import { TokenizerError } from './errors.js';
import { GPT2_PATTERN, preTokenize } from './pre-tokenize.js';
import { RankTable } from './rank-table.js';

/** Options of `BpeTokenizer.train`. */
export interface BpeTrainOptions {
  /** Final vocabulary size: 256 bytes + learned tokens + special tokens. */
  vocabSize: number;
  /** Special tokens appended after the learned ones, e.g. ['<|endoftext|>']. */
  specialTokens?: readonly string[];
  /** A pair must occur at least this often to be merged (default 2). */
  minFrequency?: number;
}

/** The JSON form written by `toJSON` and read by `fromJSON`. */
export interface BpeTokenizerJSON {
  format: 'llmfs-bpe';
  version: 1;
  pattern: string;
  /** Base64 bytes of the learned tokens, ids 256, 257, ... */
  tokens: string[];
  /** The learned merges in training order: [left id, right id, merged id]. */
  merges: Array<[number, number, number]>;
  specialTokens: Record<string, number>;
}

const textEncoder = new TextEncoder();

function bytesToBase64(bytes: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s +=
      A[(n >> 18) & 63] +
      A[(n >> 12) & 63] +
      (i + 1 < bytes.length ? A[(n >> 6) & 63] : '=') +
      (i + 2 < bytes.length ? A[n & 63] : '=');
  }
  return s;
}

/** Max-heap of (count, pair key) with lazy deletion; ties go to the smallest key (deterministic). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private before(i: number, j: number): boolean {
    return (
      this.counts[i] > this.counts[j] || (this.counts[i] === this.counts[j] && this.keys[i] < this.keys[j])
    );
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j], this.counts[i]];
    [this.keys[i], this.keys[j]] = [this.keys[j], this.keys[i]];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    for (let i = this.keys.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0], this.keys[0]];
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.counts.pop();
    this.keys.pop();
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.keys.length && this.before(l, m)) m = l;
      if (r < this.keys.length && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** A byte-level BPE tokenizer learned from text (`BpeTokenizer.train`), saved and loaded as JSON. */
export class BpeTokenizer {
  /** The tiktoken-style encoding that does the work. */
  readonly encoding: Encoding;

  private constructor(
    /** Bytes of every non-special token, by id. */
    readonly tokens: Uint8Array[],
    /** Learned merges in training order: [left, right, merged]. */
    readonly merges: Array<[number, number, number]>,
    /** Special token -> id. */
    readonly specialTokens: Record<string, number>,
  ) {
    this.encoding = new Encoding('bpe', RankTable.fromTokens(tokens), specialTokens);
  }

  /** Vocabulary size, special tokens included. */
  get vocabSize(): number {
    return this.encoding.nVocab;
  }

  /** Learns merges on `text` (GPT-2 pre-tokenization, byte-level) until `vocabSize` is reached. Deterministic. */
  static train(text: string, opts: BpeTrainOptions): BpeTokenizer {
    const specials = [...(opts.specialTokens ?? [])];
    const minFrequency = opts.minFrequency ?? 2;
    if (
      !Number.isInteger(opts.vocabSize) ||
      opts.vocabSize < BYTE_VALUES + specials.length ||
      opts.vocabSize > 65534
    ) {
      throw new TokenizerError(
        `vocabSize must be an integer from ${BYTE_VALUES + specials.length} (256 bytes + special tokens) to 65534, got ${opts.vocabSize}`,
      );
    }
    if (new Set(specials).size !== specials.length)
      throw new TokenizerError('specialTokens: a token is listed twice');
    const targetTokens = opts.vocabSize - specials.length;
    const tokens: Uint8Array[] = [];
    for (let b = 0; b < BYTE_VALUES; b++) tokens.push(Uint8Array.of(b));
    const byBytes = new Map<string, number>(tokens.map((t, i) => [String.fromCharCode(t[0]), i]));
    // Unique pre-tokenized words with their counts (special tokens in the text are not learned from).
    const freq = new Map<string, number>();
    let rest = text;
    for (const s of specials) rest = rest.split(s).join('\n');
    for (const p of preTokenize(rest)) freq.set(p, (freq.get(p) ?? 0) + 1);
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [w, c] of freq) {
      words.push([...textEncoder.encode(w)]);
      counts.push(c);
    }
    const KEY = 65536;
    const pairCount = new Map<number, number>();
    const pairWords = new Map<number, Set<number>>();
    const heap = new PairHeap();
    const add = (key: number, delta: number, w: number) => {
      const c = (pairCount.get(key) ?? 0) + delta;
      pairCount.set(key, c);
      if (delta > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
      if (c > 0) heap.push(c, key);
    };
    words.forEach((ids, w) => {
      for (let i = 0; i + 1 < ids.length; i++) add(ids[i] * KEY + ids[i + 1], counts[w], w);
    });
    const merges: Array<[number, number, number]> = [];
    while (tokens.length < targetTokens && heap.size > 0) {
      const [c, key] = heap.pop();
      if (pairCount.get(key) !== c) continue; // stale entry
      if (c < minFrequency) break;
      const a = Math.floor(key / KEY);
      const b = key % KEY;
      const bytes = new Uint8Array(tokens[a].length + tokens[b].length);
      bytes.set(tokens[a]);
      bytes.set(tokens[b], tokens[a].length);
      const bkey = String.fromCharCode(...bytes);
      let id = byBytes.get(bkey);
      if (id === undefined) {
        id = tokens.length;
        tokens.push(bytes);
        byBytes.set(bkey, id);
      }
      merges.push([a, b, id]);
      for (const w of pairWords.get(key) ?? []) {
        const ids = words[w];
        const cw = counts[w];
        for (let i = 0; i + 1 < ids.length; i++) add(ids[i] * KEY + ids[i + 1], -cw, w);
        const merged: number[] = [];
        for (let i = 0; i < ids.length; i++) {
          if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
            merged.push(id);
            i++;
          } else merged.push(ids[i]);
        }
        words[w] = merged;
        for (let i = 0; i + 1 < merged.length; i++) add(merged[i] * KEY + merged[i + 1], cw, w);
      }
      pairWords.delete(key);
    }
    const specialTokens: Record<string, number> = {};
    specials.forEach((s, i) => (specialTokens[s] = tokens.length + i));
    return new BpeTokenizer(tokens, merges, specialTokens);
  }

  /** Token ids of `text` (special tokens refused unless allowed, as in `Encoding.encode`). */
  encode(text: string, opts?: EncodeOptions): number[] {
    return this.encoding.encode(text, opts);
  }

  /** Text of `ids`. */
  decode(ids: ArrayLike<number>): string {
    return this.encoding.decode(ids);
  }

  /** Bytes of `ids`. */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    return this.encoding.decodeBytes(ids);
  }

  /** A plain object for JSON.stringify (`fromJSON` reads it back). */
  toJSON(): BpeTokenizerJSON {
    return {
      format: 'llmfs-bpe',
      version: 1,
      pattern: GPT2_PATTERN,
      tokens: this.tokens.slice(BYTE_VALUES).map(bytesToBase64),
      merges: this.merges.map((m) => [...m] as [number, number, number]),
      specialTokens: { ...this.specialTokens },
    };
  }

  /** A tokenizer from `toJSON()`'s object or its JSON text. */
  static fromJSON(json: BpeTokenizerJSON | string): BpeTokenizer {
    const obj = (typeof json === 'string' ? JSON.parse(json) : json) as BpeTokenizerJSON;
    if (obj?.format !== 'llmfs-bpe' || obj.version !== 1)
      throw new TokenizerError("BpeTokenizer.fromJSON: not an 'llmfs-bpe' version 1 object");
    if (obj.pattern !== GPT2_PATTERN)
      throw new TokenizerError('BpeTokenizer.fromJSON: only the GPT-2 pre-tokenizer pattern is supported');
    const tokens: Uint8Array[] = [];
    for (let b = 0; b < BYTE_VALUES; b++) tokens.push(Uint8Array.of(b));
    for (const t of obj.tokens) {
      const bytes = base64ToBytes(t);
      if (!bytes || bytes.length < 2) throw new TokenizerError(`BpeTokenizer.fromJSON: bad token '${t}'`);
      tokens.push(bytes);
    }
    return new BpeTokenizer(tokens, obj.merges ?? [], { ...obj.specialTokens });
  }
}
