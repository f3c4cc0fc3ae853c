// The BPE merge of one pre-tokenized piece, with tiktoken's exact rule: repeatedly merge the
// neighbouring pair whose concatenation has the lowest rank, the leftmost one on ties. Short pieces
// use a flat array scan (fastest for the usual 2-10 bytes); long ones a heap over a linked list, so a
// piece of n bytes costs O(n log n), not tiktoken's O(n^2).
import type { RankTable } from './rank-table.js';
import type { PairTable } from './pair-table.js';

const NONE = 0x7fffffff;
/** Pieces longer than this (in starting parts) go to the heap merge. */
const LINEAR_MAX = 48;

let ids = new Int32Array(LINEAR_MAX);

/**
 * Merges the UTF-8 bytes `bytes[0..n)` of one piece and pushes the resulting token ids to `out`.
 */
export function bytePairMerge(bytes: Uint8Array, n: number, table: RankTable, out: number[]): void {
  if (ids.length < n) ids = new Int32Array(Math.max(n, 2 * ids.length));
  const { byteToId, bytePairs, pairs } = table;
  if (n <= LINEAR_MAX) {
    // First-level pairs come from the 256 x 256 byte table, not the hash table.
    for (let i = 0; i < n - 1; i++) {
      ids[i] = byteToId[bytes[i]];
      const r = bytePairs[(bytes[i] << 8) | bytes[i + 1]];
      ranks[i] = r < 0 ? NONE : r;
    }
    ids[n - 1] = byteToId[bytes[n - 1]];
    linearMerge(ids, n, pairs, out);
  } else {
    for (let i = 0; i < n; i++) ids[i] = byteToId[bytes[i]];
    heapMerge(ids, n, pairs, out);
  }
}

const ranks = new Int32Array(LINEAR_MAX);

/** tiktoken's loop over a flat array; `ranks[0..n-1)` already holds the first pair ranks. */
function linearMerge(ids: Int32Array, n: number, pairs: PairTable, out: number[]): void {
  let m = n;
  for (;;) {
    let best = NONE;
    let at = -1;
    for (let i = 0; i < m - 1; i++) {
      if (ranks[i] < best) {
        best = ranks[i];
        at = i;
      }
    }
    if (at < 0) break;
    ids[at] = best;
    for (let i = at + 1; i < m - 1; i++) {
      ids[i] = ids[i + 1];
      ranks[i] = ranks[i + 1];
    }
    m--;
    if (at > 0) {
      const r = pairs.get(ids[at - 1], best);
      ranks[at - 1] = r < 0 ? NONE : r;
    }
    if (at < m - 1) {
      const r = pairs.get(best, ids[at + 1]);
      ranks[at] = r < 0 ? NONE : r;
    }
  }
  for (let i = 0; i < m; i++) out.push(ids[i]);
}

// Scratch for the heap merge, grown on demand.
let cap = 0;
let next = new Int32Array(0);
let prev = new Int32Array(0);
let pairRank = new Int32Array(0);
let heap = new Float64Array(0);
const POS_SCALE = 4294967296; // heap key = rank * 2^32 + position: lowest rank first, leftmost on ties

function grow(n: number): void {
  if (n <= cap) return;
  cap = Math.max(n, cap * 2);
  next = new Int32Array(cap);
  prev = new Int32Array(cap);
  pairRank = new Int32Array(cap);
  heap = new Float64Array(3 * cap); // n - 1 first pairs + at most 2 pushes per merge
}

function heapMerge(ids: Int32Array, n: number, pairs: PairTable, out: number[]): void {
  grow(n);
  // Locals, not module variables: the loop below runs once per merge of a 100k-byte piece.
  const nxt = next;
  const prv = prev;
  const pr = pairRank;
  const h = heap;
  let size = 0;
  // Parts form a linked list over starting byte positions; ids[pos] is the token of the part at pos.
  for (let i = 0; i < n; i++) {
    nxt[i] = i + 1 < n ? i + 1 : -1;
    prv[i] = i - 1;
  }
  // Initial pairs in position order; a key array sorted by position is not a heap in general, so each
  // is pushed (sift-up stops at once when ranks repeat, as in long runs of one character).
  for (let i = 0; i < n - 1; i++) {
    const r = pairs.get(ids[i], ids[i + 1]);
    pr[i] = r < 0 ? NONE : r;
    if (r < 0) continue;
    const key = r * POS_SCALE + i;
    let c = size++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (h[p] <= key) break;
      h[c] = h[p];
      c = p;
    }
    h[c] = key;
  }
  pr[n - 1] = NONE;
  const pushKey = (key: number): void => {
    let c = size++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (h[p] <= key) break;
      h[c] = h[p];
      c = p;
    }
    h[c] = key;
  };
  while (size > 0) {
    // pop the smallest key
    const key = h[0];
    const last = h[--size];
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= size) break;
      const m = l + 1 < size && h[l + 1] < h[l] ? l + 1 : l;
      if (h[m] >= last) break;
      h[c] = h[m];
      c = m;
    }
    h[c] = last;
    const rank = Math.floor(key / POS_SCALE);
    const pos = key - rank * POS_SCALE;
    if (pr[pos] !== rank) continue; // stale: this part or its right neighbour has changed
    const right = nxt[pos];
    ids[pos] = rank;
    const after = nxt[right];
    nxt[pos] = after;
    pr[right] = NONE;
    if (after >= 0) {
      prv[after] = pos;
      const r = pairs.get(rank, ids[after]);
      pr[pos] = r < 0 ? NONE : r;
      if (r >= 0) pushKey(r * POS_SCALE + pos);
    } else pr[pos] = NONE;
    const before = prv[pos];
    if (before >= 0) {
      const r = pairs.get(ids[before], rank);
      pr[before] = r < 0 ? NONE : r;
      if (r >= 0) pushKey(r * POS_SCALE + before);
    }
  }
  for (let i = 0; i >= 0; i = nxt[i]) out.push(ids[i]);
}
