// TensorFlow V2 checkpoint ("tensor bundle") reader: the `.index` LevelDB table holds a BundleHeaderProto
// under the empty key and one BundleEntryProto per tensor (dtype, shape, shard_id, offset, size, masked
// crc32c); the bytes live in `<prefix>.data-0000s-of-0000n`. Each tensor's checksum is verified on read.
// (tensorflow/core/util/tensor_bundle/tensor_bundle.{h,cc}, core/protobuf/tensor_bundle.proto)
import type { ByteSource } from './byte-source.js';
import { crc32c, crc32cExtend, maskCrc } from './crc32c.js';
import { decodeToFloat32 } from './dtypes.js';
import { CheckpointError } from './errors.js';
import { readLevelDbTable } from './leveldb-table.js';
import { decodeFields, ProtobufError, readVarint, type ProtoField } from './protobuf.js';

/** TensorFlow DataType enum values this reader knows: name and bytes per element (0 = string). */
export const TF_DTYPES: Readonly<Record<number, { name: string; size: number }>> = Object.freeze({
  1: { name: 'float32', size: 4 },
  2: { name: 'float64', size: 8 },
  3: { name: 'int32', size: 4 },
  4: { name: 'uint8', size: 1 },
  5: { name: 'int16', size: 2 },
  6: { name: 'int8', size: 1 },
  7: { name: 'string', size: 0 },
  9: { name: 'int64', size: 8 },
  10: { name: 'bool', size: 1 },
  14: { name: 'bfloat16', size: 2 },
  17: { name: 'uint16', size: 2 },
  19: { name: 'float16', size: 2 },
  22: { name: 'uint32', size: 4 },
  23: { name: 'uint64', size: 8 },
});

/** One BundleEntryProto. `crc32c` is the masked CRC32C stored by TensorFlow. */
export interface BundleEntry {
  name: string;
  dtype: string;
  dtypeEnum: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  crc32c: number;
}

/** A decoded index: shard count and the entries by name (sorted, as in the table). */
export interface BundleIndex {
  numShards: number;
  entries: Map<string, BundleEntry>;
}

/** A tensor read from a bundle. Float dtypes come out as Float32Array, integers in their own arrays. */
export interface TfTensor {
  dtype: string;
  shape: number[];
  data:
    | Float32Array
    | Int32Array
    | BigInt64Array
    | BigUint64Array
    | Int16Array
    | Uint16Array
    | Int8Array
    | Uint8Array
    | Uint32Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a `.index` file's bytes into its header and entries (every block checksum verified). */
export function parseBundleIndex(indexBytes: Uint8Array, what = 'checkpoint index'): BundleIndex {
  const fail = (msg: string): never => {
    throw new CheckpointError(`${what}: ${msg}`);
  };
  const kvs = readLevelDbTable(indexBytes, what);
  let numShards = -1;
  const entries = new Map<string, BundleEntry>();
  try {
    for (const [keyBytes, value] of kvs) {
      let key: string;
      try {
        key = utf8.decode(keyBytes);
      } catch {
        return fail('tensor name is not valid UTF-8');
      }
      if (key === '') {
        numShards = 0;
        for (const f of decodeFields(value)) {
          if (f.field === 1 && f.wire === 0) numShards = f.value as number;
          if (f.field === 2 && f.wire === 0 && f.value !== 0)
            fail('big-endian checkpoints are not supported');
        }
        continue;
      }
      if (entries.has(key)) fail(`duplicate tensor "${key}"`);
      entries.set(key, parseEntry(key, decodeFields(value), fail));
    }
  } catch (err) {
    if (err instanceof ProtobufError) fail(`corrupt entry: ${err.message}`);
    throw err;
  }
  if (numShards < 0) fail('no BundleHeaderProto (empty key) in the index');
  if (numShards < 1 || numShards > 100_000) fail(`bad shard count ${numShards}`);
  for (const e of entries.values())
    if (e.shardId >= numShards) fail(`tensor "${e.name}": shard ${e.shardId} of ${numShards}`);
  return { numShards, entries };
}

function parseEntry(name: string, fields: ProtoField[], fail: (m: string) => never): BundleEntry {
  const e: BundleEntry = {
    name,
    dtype: '',
    dtypeEnum: 0,
    shape: [],
    shardId: 0,
    offset: 0,
    size: 0,
    crc32c: 0,
  };
  for (const f of fields) {
    if (f.field === 1 && f.wire === 0) e.dtypeEnum = f.value as number;
    else if (f.field === 2 && f.wire === 2) {
      for (const s of decodeFields(f.value as Uint8Array)) {
        if (s.field === 3 && s.wire === 0 && s.value) fail(`tensor "${name}": unknown rank`);
        if (s.field !== 2 || s.wire !== 2) continue;
        let size = 0;
        for (const d of decodeFields(s.value as Uint8Array))
          if (d.field === 1 && d.wire === 0) size = d.value as number;
        e.shape.push(size);
      }
    } else if (f.field === 3 && f.wire === 0) e.shardId = f.value as number;
    else if (f.field === 4 && f.wire === 0) e.offset = f.value as number;
    else if (f.field === 5 && f.wire === 0) e.size = f.value as number;
    else if (f.field === 6 && f.wire === 5) e.crc32c = f.value as number;
    else if (f.field === 7) fail(`tensor "${name}": partitioned (sliced) variables are not supported`);
  }
  const dt = TF_DTYPES[e.dtypeEnum];
  if (!dt) fail(`tensor "${name}": unsupported dtype enum ${e.dtypeEnum}`);
  e.dtype = dt.name;
  let n = 1;
  for (const d of e.shape) n *= d;
  if (!Number.isSafeInteger(n)) fail(`tensor "${name}": shape ${JSON.stringify(e.shape)} overflows`);
  if (dt.size && n * dt.size !== e.size)
    fail(
      `tensor "${name}": ${e.dtype} ${JSON.stringify(e.shape)} needs ${n * dt.size} bytes, entry says ${e.size}`,
    );
  return e;
}

/** Data file name of shard `i` of `n` for a checkpoint prefix. */
export function shardFileName(prefix: string, i: number, n: number): string {
  const pad = (x: number) => String(x).padStart(5, '0');
  return `${prefix}.data-${pad(i)}-of-${pad(n)}`;
}

/** An open checkpoint: its index and data shards; tensors are read (and checksummed) one at a time. */
export class TfCheckpointReader {
  constructor(
    readonly index: BundleIndex,
    private readonly shards: ByteSource[],
  ) {
    if (shards.length !== index.numShards)
      throw new CheckpointError(
        `checkpoint has ${index.numShards} shards, ${shards.length} data files given`,
      );
    // A cut or empty data file is found here, from the index alone, before any tensor is read.
    for (const [name, e] of index.entries) {
      const src = shards[e.shardId];
      if (src && e.offset + e.size > src.size)
        throw new CheckpointError(
          `${src.name}: cut short: tensor "${name}" ends at byte ${e.offset + e.size}, the file has ${src.size}`,
        );
    }
  }

  /** Tensor names, sorted. */
  names(): string[] {
    return [...this.index.entries.keys()];
  }

  /** The BundleEntryProto of `name`, or undefined. */
  entry(name: string): BundleEntry | undefined {
    return this.index.entries.get(name);
  }

  /** Reads tensor `name` and checks its CRC32C. String tensors are verified and returned as raw bytes. */
  async tensor(name: string): Promise<TfTensor> {
    const e = this.index.entries.get(name);
    const src = e && this.shards[e.shardId];
    if (!e || !src) throw new CheckpointError(`checkpoint: no tensor "${name}"`);
    if (e.offset + e.size > src.size)
      throw new CheckpointError(
        `${src.name}: tensor "${name}" [${e.offset}, +${e.size}] runs past the end (${src.size} bytes)`,
      );
    const bytes = await src.read(e.offset, e.size);
    const n = e.shape.reduce((a, b) => a * b, 1);
    const crc = e.dtype === 'string' ? stringTensorCrc(bytes, n, name, src.name) : crc32c(bytes);
    if (maskCrc(crc) !== e.crc32c)
      throw new CheckpointError(`${src.name}: tensor "${name}": CRC32C mismatch (file corrupt or truncated)`);
    return { dtype: e.dtype, shape: [...e.shape], data: typedArray(e.dtype, bytes) };
  }

  /** Closes the data files. */
  async close(): Promise<void> {
    for (const s of this.shards) await s.close?.();
  }
}

// TensorFlow's string tensors: varint64 element lengths, a 4-byte masked CRC of the lengths, then the
// bytes. The entry's checksum covers each length as a little-endian uint32, that 4-byte CRC, and the
// bytes (checked against TensorFlow-written bundles in the tests).
function stringTensorCrc(bytes: Uint8Array, n: number, name: string, file: string): number {
  const fail = (m: string): never => {
    throw new CheckpointError(`${file}: string tensor "${name}": ${m}`);
  };
  let pos = 0;
  let crc = 0;
  let total = 0;
  const len4 = new Uint8Array(4);
  const dv = new DataView(len4.buffer);
  try {
    for (let i = 0; i < n; i++) {
      const [len, p] = readVarint(bytes, pos);
      pos = p;
      total += len;
      if (len > 0xffffffff) fail('element longer than 4 GiB');
      dv.setUint32(0, len, true);
      crc = crc32cExtend(crc, len4);
    }
  } catch (err) {
    if (err instanceof ProtobufError) fail(err.message);
    throw err;
  }
  if (pos + 4 + total !== bytes.length)
    fail(`lengths add up to ${pos + 4 + total} bytes, entry has ${bytes.length}`);
  crc = crc32cExtend(crc, bytes.subarray(pos, pos + 4));
  return crc32cExtend(crc, bytes.subarray(pos + 4));
}

function typedArray(dtype: string, bytes: Uint8Array): TfTensor['data'] {
  const copy = () => {
    const b = new Uint8Array(bytes.length);
    b.set(bytes);
    return b.buffer;
  };
  switch (dtype) {
    case 'float32':
      return decodeToFloat32(bytes, 'F32');
    case 'float64':
      return decodeToFloat32(bytes, 'F64');
    case 'float16':
      return decodeToFloat32(bytes, 'F16');
    case 'bfloat16':
      return decodeToFloat32(bytes, 'BF16');
    case 'int32':
      return new Int32Array(copy());
    case 'int64':
      return new BigInt64Array(copy());
    case 'uint64':
      return new BigUint64Array(copy());
    case 'int16':
      return new Int16Array(copy());
    case 'uint16':
      return new Uint16Array(copy());
    case 'uint32':
      return new Uint32Array(copy());
    case 'int8':
      return new Int8Array(copy());
    default:
      return new Uint8Array(copy()); // uint8, bool, string (raw bytes)
  }
}
