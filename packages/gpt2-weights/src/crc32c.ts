// CRC32C (Castagnoli), slicing-by-8, and LevelDB's "masked" form used by TensorFlow tensor bundles
// (tensorflow/core/lib/hash/crc32c.h: Mask/Unmask).

const POLY = 0x82f63b78;
const TABLES: Uint32Array[] = (() => {
  const t: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  t.push(t0);
  for (let s = 1; s < 8; s++) {
    const prev = t[s - 1];
    const ts = new Uint32Array(256);
    for (let i = 0; i < 256; i++) ts[i] = (prev[i] >>> 8) ^ t0[prev[i] & 0xff];
    t.push(ts);
  }
  return t;
})();

/** Extends a CRC32C value over `bytes` (start with 0). */
export function crc32cExtend(crc: number, bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32C of `bytes`. */
export function crc32c(bytes: Uint8Array): number {
  return crc32cExtend(0, bytes);
}

const MASK_DELTA = 0xa282ead8;

/** LevelDB/TensorFlow masked CRC: rotate right by 15 bits and add a constant. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of maskCrc. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
