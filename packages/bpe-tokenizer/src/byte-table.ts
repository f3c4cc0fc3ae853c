// Bytes -> token id, probed with a range of a byte array (no string keys, no allocation); used to
// build the pair table, where every split of every token is looked up.

/** An open-addressing table over the token byte ranges of a pool. */
export class ByteTable {
  private readonly slots: Int32Array; // id + 1, 0 = empty
  private readonly mask: number;

  constructor(
    private readonly pool: Uint8Array,
    private readonly offsets: Int32Array,
    n: number,
  ) {
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let id = 0; id < n; id++) {
      if (this.get(pool, offsets[id], offsets[id + 1]) >= 0) continue; // duplicate bytes: the lowest id wins
      let h = ByteTable.hash(pool, offsets[id], offsets[id + 1]) & this.mask;
      while (this.slots[h] !== 0) h = (h + 1) & this.mask;
      this.slots[h] = id + 1;
    }
  }

  private static hash(b: Uint8Array, i: number, j: number): number {
    let h = 0x811c9dc5 | 0;
    for (let k = i; k < j; k++) h = Math.imul(h ^ b[k], 0x01000193);
    return h ^ (h >>> 15);
  }

  /** Id of the token whose bytes are `b[i..j)`, or -1. */
  get(b: Uint8Array, i: number, j: number): number {
    const { pool, offsets, slots, mask } = this;
    const len = j - i;
    let h = ByteTable.hash(b, i, j) & mask;
    for (;;) {
      const id = slots[h] - 1;
      if (id < 0) return -1;
      const a = offsets[id];
      if (offsets[id + 1] - a === len) {
        let k = 0;
        while (k < len && pool[a + k] === b[i + k]) k++;
        if (k === len) return id;
      }
      h = (h + 1) & mask;
    }
  }
}
