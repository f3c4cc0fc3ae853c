// Reader and writer of the LevelDB table ("SSTable") format that TensorFlow uses for a checkpoint's
// `.index` file (tensorflow/core/lib/io/table*): data blocks of prefix-compressed keys with restart
// points, a metaindex and an index block, a 48-byte footer ending in the magic 0xdb4775248b80fb57, and
// after every block a trailer of 1 compression-type byte + the masked CRC32C of contents and type.
import { crc32c, crc32cExtend, maskCrc } from './crc32c.js';
import { CheckpointError } from './errors.js';
import { ProtobufError, readVarint, writeVarint } from './protobuf.js';

const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;
const FOOTER_SIZE = 48;

interface BlockHandle {
  offset: number;
  size: number;
}

function u32(bytes: Uint8Array, pos: number): number {
  return (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
}

/** Parses every key/value of a table held in memory, verifying each block's checksum. */
export function readLevelDbTable(
  table: Uint8Array,
  what: string,
): Array<[key: Uint8Array, value: Uint8Array]> {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${what}: ${msg}`);
  };
  try {
    if (table.length < FOOTER_SIZE) fail(`too small for a table footer (${table.length} bytes)`);
    const footer = table.subarray(table.length - FOOTER_SIZE);
    if (u32(footer, 40) !== MAGIC_LO || u32(footer, 44) !== MAGIC_HI)
      fail('bad table magic (not a TensorFlow checkpoint index)');
    const readHandle = (bytes: Uint8Array, pos: number): [BlockHandle, number] => {
      const [offset, p1] = readVarint(bytes, pos);
      const [size, p2] = readVarint(bytes, p1);
      return [{ offset, size }, p2];
    };
    const [, p] = readHandle(footer, 0); // metaindex: TensorFlow writes none we need
    const [indexHandle] = readHandle(footer, p);
    const limit = table.length - FOOTER_SIZE;
    const readBlock = (h: BlockHandle, label: string): Uint8Array => {
      if (h.offset + h.size + 5 > limit) fail(`${label} block [${h.offset}, +${h.size}] runs past the end`);
      const contents = table.subarray(h.offset, h.offset + h.size);
      const type = table[h.offset + h.size];
      const stored = u32(table, h.offset + h.size + 1);
      const actual = maskCrc(
        crc32cExtend(crc32c(contents), table.subarray(h.offset + h.size, h.offset + h.size + 1)),
      );
      if (stored !== actual) fail(`${label} block at ${h.offset}: checksum mismatch`);
      if (type === 1)
        fail(`${label} block at ${h.offset} is snappy-compressed; only uncompressed indexes are supported`);
      if (type !== 0) fail(`${label} block at ${h.offset}: unknown compression type ${type}`);
      return contents;
    };
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const index = blockEntries(readBlock(indexHandle, 'index'), 'index', fail);
    for (const [, handleBytes] of index) {
      const [h] = readHandle(handleBytes, 0);
      for (const kv of blockEntries(readBlock(h, 'data'), 'data', fail)) out.push(kv);
    }
    return out;
  } catch (err) {
    if (err instanceof ProtobufError) fail(`corrupt varint: ${err.message}`);
    throw err;
  }
}

function blockEntries(
  block: Uint8Array,
  label: string,
  fail: (m: string) => never,
): Array<[Uint8Array, Uint8Array]> {
  if (block.length < 4) fail(`${label} block shorter than its restart count`);
  const numRestarts = u32(block, block.length - 4);
  const restartsStart = block.length - 4 - 4 * numRestarts;
  if (numRestarts === 0 || restartsStart < 0) fail(`${label} block: bad restart count ${numRestarts}`);
  for (let r = 0; r < numRestarts; r++) {
    if (u32(block, restartsStart + 4 * r) > restartsStart)
      fail(`${label} block: restart point past the entries`);
  }
  const out: Array<[Uint8Array, Uint8Array]> = [];
  let pos = 0;
  let prevKey = new Uint8Array(0);
  while (pos < restartsStart) {
    const [shared, p1] = readVarint(block, pos);
    const [nonShared, p2] = readVarint(block, p1);
    const [valueLen, p3] = readVarint(block, p2);
    if (shared > prevKey.length) fail(`${label} block: shared key prefix longer than the previous key`);
    if (p3 + nonShared + valueLen > restartsStart) fail(`${label} block: entry runs past the entries`);
    const key = new Uint8Array(shared + nonShared);
    key.set(prevKey.subarray(0, shared));
    key.set(block.subarray(p3, p3 + nonShared), shared);
    out.push([key, block.subarray(p3 + nonShared, p3 + nonShared + valueLen)]);
    prevKey = key;
    pos = p3 + nonShared + valueLen;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

class BlockBuilder {
  private buf: number[] = [];
  private restarts: number[] = [0];
  private count = 0;
  private last: Uint8Array = new Uint8Array(0);
  constructor(private readonly interval: number) {}
  get size(): number {
    return this.buf.length + 4 * this.restarts.length + 4;
  }
  get empty(): boolean {
    return this.count === 0 && this.buf.length === 0;
  }
  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.count < this.interval) {
      const n = Math.min(this.last.length, key.length);
      while (shared < n && this.last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buf.length);
      this.count = 0;
    }
    writeVarint(this.buf, shared);
    writeVarint(this.buf, key.length - shared);
    writeVarint(this.buf, value.length);
    for (let i = shared; i < key.length; i++) this.buf.push(key[i]);
    for (let i = 0; i < value.length; i++) this.buf.push(value[i]);
    this.last = key;
    this.count++;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    out.set(this.buf);
    const dv = new DataView(out.buffer);
    this.restarts.forEach((r, i) => dv.setUint32(this.buf.length + 4 * i, r, true));
    dv.setUint32(out.length - 4, this.restarts.length, true);
    return out;
  }
}

/** Writes sorted (or unsorted: they are sorted here) key/values as an uncompressed table. */
export function writeLevelDbTable(
  entries: Array<[Uint8Array, Uint8Array]>,
  opts: { blockSize?: number; restartInterval?: number } = {},
): Uint8Array {
  const blockSize = opts.blockSize ?? 4096;
  const interval = opts.restartInterval ?? 16;
  const sorted = [...entries].sort((a, b) => compareBytes(a[0], b[0]));
  const parts: Uint8Array[] = [];
  let offset = 0;
  const emit = (contents: Uint8Array): number[] => {
    const trailer = new Uint8Array(5);
    trailer[0] = 0;
    const crc = maskCrc(crc32cExtend(crc32c(contents), trailer.subarray(0, 1)));
    new DataView(trailer.buffer).setUint32(1, crc, true);
    const handle: number[] = [];
    writeVarint(handle, offset);
    writeVarint(handle, contents.length);
    parts.push(contents, trailer);
    offset += contents.length + 5;
    return handle;
  };
  const index = new BlockBuilder(1);
  let block = new BlockBuilder(interval);
  let lastKey: Uint8Array | undefined;
  for (const [k, v] of sorted) {
    block.add(k, v);
    lastKey = k;
    if (block.size >= blockSize) {
      index.add(lastKey, Uint8Array.from(emit(block.finish())));
      block = new BlockBuilder(interval);
    }
  }
  if (!block.empty && lastKey) index.add(lastKey, Uint8Array.from(emit(block.finish())));
  const metaHandle = emit(new BlockBuilder(interval).finish());
  const indexHandle = emit(index.finish());
  const footer = new Uint8Array(FOOTER_SIZE);
  footer.set([...metaHandle, ...indexHandle]);
  const dv = new DataView(footer.buffer);
  dv.setUint32(40, MAGIC_LO, true);
  dv.setUint32(44, MAGIC_HI, true);
  parts.push(footer);
  const out = new Uint8Array(offset + FOOTER_SIZE);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
