// Seeded pseudo-random numbers (xoshiro128**, seeded by splitmix32) so that weight init,
// dropout masks and sampling are reproducible from one integer seed.

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seed of layers built without an `rng` option (the book's `torch.manual_seed(123)`). */
export const DEFAULT_RNG_SEED = 123;
/** 2^32: divides a 32-bit unsigned integer into [0, 1). */
const UINT32_RANGE = 2 ** 32;

/** A small, fast, seeded generator; its whole state can be saved and restored (exact resume). */
export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    const sm = splitmix32(Math.floor(seed) >>> 0);
    this.s = new Uint32Array([sm(), sm(), sm(), sm()]);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / UINT32_RANGE;
  }

  /** Standard normal sample (Box-Muller, no cached spare so the state stays four words). */
  normal(): number {
    let u = this.next();
    while (u <= Number.MIN_VALUE) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A fresh seed for a tfjs random op (tf.randomUniform's `seed`), drawn from this stream. */
  seed(): number {
    return this.nextUint32();
  }

  /** Fills `out` with U(lo, hi) draws; the same stream as `lo + (hi - lo) * next()` per element, faster. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    let [s0, s1, s2, s3] = this.s;
    const scale = (hi - lo) / UINT32_RANGE;
    for (let i = 0; i < out.length; i++) {
      const x = Math.imul(s1, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = lo + r * scale;
    }
    this.s[0] = s0;
    this.s[1] = s1;
    this.s[2] = s2;
    this.s[3] = s3;
    return out;
  }

  /** Fills `out` with N(mean, std) draws (Box-Muller using both outputs of each pair). */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      let a = this.next();
      while (a <= Number.MIN_VALUE) a = this.next();
      const b = this.next();
      const rad = Math.sqrt(-2 * Math.log(a)) * std;
      const th = 2 * Math.PI * b;
      out[i] = mean + rad * Math.cos(th);
      if (i + 1 < n) out[i + 1] = mean + rad * Math.sin(th);
    }
    return out;
  }

  /** The generator's state (four uint32 words). */
  getState(): number[] {
    return Array.from(this.s);
  }

  /** Restores a state from `getState()`. */
  setState(state: number[]): void {
    if (state.length !== 4) throw new RangeError(`Rng.setState: expected 4 words, got ${state.length}`);
    this.s = new Uint32Array(state.map((x) => x >>> 0));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
