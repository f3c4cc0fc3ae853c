// The mergeable ranks of a byte-level BPE vocabulary (tiktoken's "mergeable_ranks"): token id = rank,
// each id's bytes, and the tables the encoder needs: byte -> id, whole piece -> id, pair -> merged id.
import { ByteTable } from './byte-table.js';
import { BYTE_VALUES } from './bytes-to-unicode.js';
import { TokenizerError } from './errors.js';
import { PairTable } from './pair-table.js';
import { PieceTable } from './piece-table.js';

/** Byte-level BPE ranks: token id -> bytes, with lookup tables built once. */
export class RankTable {
  /** Number of ranked tokens (special tokens not included). */
  readonly size: number;
  /** All token bytes back to back; token `id` is `pool[offsets[id] .. offsets[id + 1])`. */
  readonly pool: Uint8Array;
  readonly offsets: Int32Array;
  /** Token id of each single byte. */
  readonly byteToId: Int32Array;
  /** Text -> id for tokens whose bytes are valid UTF-8, probed by string range (whole-piece lookup). */
  readonly pieces: PieceTable;
  /** (left, right) -> id of the token spelled bytes(left) + bytes(right). */
  readonly pairs: PairTable;
  /** The same for two single bytes: `bytePairs[b1 << 8 | b2]`, or -1. */
  readonly bytePairs: Int32Array;

  /** Token `id` is `pool[offsets[id] .. offsets[id + 1])`; ids 0..n-1 with every single byte present. */
  constructor(pool: Uint8Array, offsets: Int32Array) {
    const n = offsets.length - 1;
    if (n >= 0xffff) throw new TokenizerError(`rank table: ${n} tokens; at most 65534 are supported`);
    this.size = n;
    this.pool = pool;
    this.offsets = offsets;
    this.byteToId = new Int32Array(BYTE_VALUES).fill(-1);
    for (let id = 0; id < n; id++) {
      const len = offsets[id + 1] - offsets[id];
      if (len <= 0)
        throw new TokenizerError(`rank table: token id ${id} has no bytes; ids must run from 0 to n-1`);
      if (len === 1 && this.byteToId[pool[offsets[id]]] === -1) this.byteToId[pool[offsets[id]]] = id;
    }
    for (let b = 0; b < BYTE_VALUES; b++) {
      if (this.byteToId[b] === -1)
        throw new TokenizerError(`rank table: byte 0x${b.toString(16)} has no token`);
    }
    this.pieces = new PieceTable(pool, offsets, n);
    // Every split of every token into two tokens is a pair the merge loop may meet (tiktoken looks up
    // the concatenated bytes of neighbouring parts, so any such split counts, not only the training merge).
    const byBytes = new ByteTable(this.pool, this.offsets, n);
    this.pairs = new PairTable(pool.length - n); // an upper bound: a token of L bytes has L - 1 splits
    for (let id = 0; id < n; id++) {
      const s = offsets[id];
      const e = offsets[id + 1];
      if (e - s < 2 || byBytes.get(pool, s, e) !== id) continue;
      for (let k = s + 1; k < e; k++) {
        const a = byBytes.get(pool, s, k);
        if (a < 0) continue;
        const b = byBytes.get(pool, k, e);
        if (b >= 0) this.pairs.set(a, b, id);
      }
    }
    this.bytePairs = new Int32Array(BYTE_VALUES * BYTE_VALUES);
    for (let a = 0; a < BYTE_VALUES; a++) {
      for (let b = 0; b < BYTE_VALUES; b++)
        this.bytePairs[(a << 8) | b] = this.pairs.get(this.byteToId[a], this.byteToId[b]);
    }
  }

  /** A table from `tokens[id]` = the bytes of token `id`. */
  static fromTokens(tokens: Uint8Array[]): RankTable {
    let total = 0;
    for (let id = 0; id < tokens.length; id++) {
      if (!tokens[id])
        throw new TokenizerError(`rank table: token id ${id} is missing; ids must run from 0 to n-1`);
      total += tokens[id].length;
    }
    const pool = new Uint8Array(total);
    const offsets = new Int32Array(tokens.length + 1);
    let off = 0;
    tokens.forEach((t, id) => {
      offsets[id] = off;
      pool.set(t, off);
      off += t.length;
    });
    offsets[tokens.length] = off;
    return new RankTable(pool, offsets);
  }

  /** Bytes of token `id` (a view into the pool). */
  bytesOf(id: number): Uint8Array {
    return this.pool.subarray(this.offsets[id], this.offsets[id + 1]);
  }
}
