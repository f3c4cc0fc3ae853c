// Writes float32 tensors as a TensorFlow V2 checkpoint (one shard): the data file and the `.index`
// LevelDB table with a BundleHeaderProto and one BundleEntryProto per tensor, checksummed as TensorFlow
// does. Used by `llmfs convert` (model directory -> OpenAI folder), tests and the benchmark.
import { crc32c, maskCrc } from './crc32c.js';
import { encodeFromFloat32 } from './dtypes.js';
import { writeLevelDbTable } from './leveldb-table.js';
import { writeBytesField, writeFixed32Field, writeVarint, writeVarintField } from './protobuf.js';

/** A float32 tensor to store. */
export interface BundleTensor {
  shape: number[];
  data: Float32Array;
}

/** Encodes a BundleEntryProto (float32 only). */
export function encodeBundleEntry(
  shape: number[],
  offset: number,
  size: number,
  maskedCrc: number,
  shardId = 0,
): Uint8Array {
  const out: number[] = [];
  writeVarintField(out, 1, 1); // dtype DT_FLOAT
  const shapeMsg: number[] = [];
  for (const d of shape) {
    const dim: number[] = [];
    writeVarintField(dim, 1, d);
    writeBytesField(shapeMsg, 2, dim);
  }
  writeBytesField(out, 2, shapeMsg);
  writeVarintField(out, 3, shardId);
  writeVarintField(out, 4, offset);
  writeVarintField(out, 5, size);
  writeFixed32Field(out, 6, maskedCrc);
  return Uint8Array.from(out);
}

/** The BundleHeaderProto: num_shards, little-endian, version { producer: 1 }. */
export function encodeBundleHeader(numShards = 1): Uint8Array {
  const out: number[] = [];
  writeVarintField(out, 1, numShards);
  const version: number[] = [];
  writeVarintField(version, 1, 1);
  writeBytesField(out, 3, version);
  return Uint8Array.from(out);
}

/**
 * Plans a bundle: tensors in sorted-name order in the data file; returns the index bytes and a list of
 * (name, offset, bytes) for the data file. `blockSize` (default 4096) sets the index's data block size.
 */
export function buildTfBundle(tensors: Map<string, BundleTensor>, opts: { blockSize?: number } = {}) {
  const enc = new TextEncoder();
  const names = [...tensors.keys()].sort();
  const kvs: Array<[Uint8Array, Uint8Array]> = [[new Uint8Array(0), encodeBundleHeader(1)]];
  const data: Array<{ name: string; offset: number; bytes: Uint8Array }> = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = encodeFromFloat32(t.data, 'F32');
    kvs.push([enc.encode(name), encodeBundleEntry(t.shape, offset, bytes.length, maskCrc(crc32c(bytes)))]);
    data.push({ name, offset, bytes });
    offset += bytes.length;
  }
  const index = writeLevelDbTable(kvs, { blockSize: opts.blockSize ?? 4096 });
  return { index, data, dataSize: offset };
}

/** Writes `<prefix>.index` and `<prefix>.data-00000-of-00001` (Node; crash-safe, data file first). */
export async function writeTfCheckpoint(
  prefix: string,
  tensors: Map<string, BundleTensor>,
  opts: { blockSize?: number } = {},
): Promise<void> {
  const { writeFileAtomic } = await import('./node-files.js');
  const { index, data } = buildTfBundle(tensors, opts);
  await writeFileAtomic(
    `${prefix}.data-00000-of-00001`,
    data.map((d) => d.bytes),
  );
  await writeFileAtomic(`${prefix}.index`, [index]);
}

// Re-exported for tests that build hostile varints.
export { writeVarint };
