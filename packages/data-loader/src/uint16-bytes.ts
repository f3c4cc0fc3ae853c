// uint16 little-endian <-> ids, the token-file format (raw, no header: the layout of nanoGPT's train.bin).
import { VocabularyTooLargeError } from './data-loader-error.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest id a uint16 token file can hold. */
export const MAX_UINT16_ID = 0xffff;

/** Packs ids as uint16 little-endian bytes; an id above 65535 throws VocabularyTooLargeError. */
export function idsToUint16Bytes(ids: ArrayLike<number>, what: string): Uint8Array {
  const out = new Uint16Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id <= MAX_UINT16_ID && Number.isInteger(id)))
      throw new VocabularyTooLargeError(id + 1, `${what}: token id ${id}`);
    out[i] = id;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(out.buffer);
    for (let i = 0; i < ids.length; i++) view.setUint16(2 * i, ids[i], true);
  }
  return new Uint8Array(out.buffer);
}

/** Reads `count` uint16 little-endian ids from `bytes` (byte offset `at`) into `into` at `offset`. */
export function uint16BytesToIds(
  bytes: Uint8Array,
  at: number,
  count: number,
  into: Int32Array,
  offset: number,
): void {
  if (LITTLE_ENDIAN && (bytes.byteOffset + at) % 2 === 0) {
    into.set(new Uint16Array(bytes.buffer, bytes.byteOffset + at, count), offset);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 2 * count);
  for (let i = 0; i < count; i++) into[offset + i] = view.getUint16(2 * i, true);
}
