// A minimal protocol-buffers wire reader and writer (varints, fixed32/64, length-delimited) for the
// two TensorFlow messages a tensor bundle holds: BundleHeaderProto and BundleEntryProto. Every read is
// bounds-checked and throws ProtobufError, so a corrupt index never turns into a RangeError.
import { GPT2WeightsError } from './errors.js';

/** Malformed wire data. */
export class ProtobufError extends GPT2WeightsError {
  override name = 'ProtobufError';
}

/** One decoded field: number, wire type and value (a number for varint/fixed, bytes for length-delimited). */
export interface ProtoField {
  field: number;
  wire: number;
  value: number | Uint8Array;
}

/** Reads an unsigned varint at `pos` (at most 10 bytes; values above 2^53 are an error). */
export function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (pos >= bytes.length) throw new ProtobufError(`varint runs past the end at byte ${pos}`);
    const b = bytes[pos++];
    result += (b & 0x7f) * mul;
    if (!(b & 0x80)) {
      if (!Number.isSafeInteger(result)) throw new ProtobufError(`varint over 2^53 at byte ${pos}`);
      return [result, pos];
    }
    mul *= 128;
  }
  throw new ProtobufError(`varint longer than 10 bytes at byte ${pos}`);
}

/** Decodes a message into its fields (wire types 0, 1, 2, 5; groups are an error). */
export function decodeFields(bytes: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, p1] = readVarint(bytes, pos);
    pos = p1;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new ProtobufError('field number 0');
    if (wire === 0) {
      const [v, p] = readVarint(bytes, pos);
      out.push({ field, wire, value: v });
      pos = p;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > bytes.length) throw new ProtobufError(`fixed${n * 8} runs past the end`);
      const dv = new DataView(bytes.buffer, bytes.byteOffset + pos, n);
      const v = wire === 5 ? dv.getUint32(0, true) : dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
      out.push({ field, wire, value: v });
      pos += n;
    } else if (wire === 2) {
      const [len, p] = readVarint(bytes, pos);
      if (p + len > bytes.length)
        throw new ProtobufError(`length-delimited field ${field} runs past the end`);
      out.push({ field, wire, value: bytes.subarray(p, p + len) });
      pos = p + len;
    } else {
      throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

/** Appends a varint to `out`. */
export function writeVarint(out: number[], v: number): void {
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Appends a varint field (skipped when 0, as proto3 does). */
export function writeVarintField(out: number[], field: number, v: number): void {
  if (v === 0) return;
  writeVarint(out, field * 8);
  writeVarint(out, v);
}

/** Appends a length-delimited field. */
export function writeBytesField(out: number[], field: number, bytes: ArrayLike<number>): void {
  writeVarint(out, field * 8 + 2);
  writeVarint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
}

/** Appends a fixed32 field. */
export function writeFixed32Field(out: number[], field: number, v: number): void {
  writeVarint(out, field * 8 + 5);
  out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
