// Open-addressing hash table from a pair of token ids (a, b) to the id of the token whose bytes are
// bytes(a) + bytes(b): the one lookup the BPE merge loop makes. Typed arrays, no per-lookup allocation.

/** (left id, right id) -> merged id, or -1. Ids must be below 65535. */
export class PairTable {
  private readonly keys: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  private readonly shift: number;
  size = 0;

  constructor(capacityHint: number) {
    let cap = 16;
    let bits = 4;
    while (cap < capacityHint * 2) {
      cap *= 2;
      bits++;
    }
    this.shift = 32 - bits;
    this.keys = new Int32Array(cap).fill(-1);
    this.values = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Stores a -> b => merged unless the pair is already there (the first, lowest id wins). */
  set(a: number, b: number, merged: number): void {
    const key = (a << 16) | b;
    let h = Math.imul(key, 0x9e3779b1) >>> this.shift; // Fibonacci hashing: the high bits
    for (;;) {
      const k = this.keys[h];
      if (k === -1) {
        this.keys[h] = key;
        this.values[h] = merged;
        this.size++;
        return;
      }
      if (k === key) return;
      h = (h + 1) & this.mask;
    }
  }

  /** The merged id of (a, b), or -1. */
  get(a: number, b: number): number {
    const key = (a << 16) | b;
    const keys = this.keys;
    const mask = this.mask;
    let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[h];
      if (k === key) return this.values[h];
      if (k === -1) return -1;
      h = (h + 1) & mask;
    }
  }
}
