// TensorFlow tensor bundles: TensorFlow-written fixtures decode to EXPECTED.json (numeric values, string
// tensors checksummed), gpt-tiny's OpenAI folder, our writer's multi-block indexes read back, and corrupt
// or hostile indexes and data files give CheckpointError only.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { fixturePath, makeTempDir, readFixtureJson } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from './byte-source.js';
import { crc32c, maskCrc, unmaskCrc } from './crc32c.js';
import { CheckpointError } from './errors.js';
import { readLevelDbTable, writeLevelDbTable } from './leveldb-table.js';
import { parseBundleIndex, TfCheckpointReader } from './tf-bundle.js';
import { buildTfBundle, writeTfCheckpoint } from './tf-bundle-writer.js';
import { openTfCheckpoint, readTfCheckpoint } from './tf-checkpoint-file.js';

const EXPECTED = readFixtureJson('tf-bundle-real', 'EXPECTED.json') as Record<
  string,
  Record<string, { dtype: string; shape: number[]; offset: number; size: number; values: number[] | null }>
>;

describe('crc32c', () => {
  it('matches the standard check value and LevelDB masking', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720 test vector
    const c = 0x12345678;
    expect(unmaskCrc(maskCrc(c))).toBe(c);
  });
});

describe('TensorFlow-written bundles', () => {
  for (const [name, vars] of Object.entries(EXPECTED)) {
    it(`${name}: every entry and value as TensorFlow wrote it`, async () => {
      const prefix = fixturePath('tf-bundle-real', name, 'variables');
      const reader = await openTfCheckpoint(prefix);
      expect(reader.names().sort()).toEqual(Object.keys(vars).sort());
      for (const [v, exp] of Object.entries(vars)) {
        const e = reader.entry(v)!;
        expect({ dtype: e.dtype, shape: e.shape, offset: e.offset, size: e.size }).toEqual({
          dtype: exp.dtype,
          shape: exp.shape,
          offset: exp.offset,
          size: exp.size,
        });
        const t = await reader.tensor(v); // verifies the CRC32C (string tensors too)
        if (exp.values) expect(Array.from(t.data as ArrayLike<number | bigint>, Number)).toEqual(exp.values);
      }
      await reader.close();
    });
  }

  it('a flipped byte inside a string tensor fails its checksum', async () => {
    const dir = fixturePath('tf-bundle-real', 'times_three_float');
    const index = parseBundleIndex(new Uint8Array(fs.readFileSync(path.join(dir, 'variables.index'))));
    const data = new Uint8Array(fs.readFileSync(path.join(dir, 'variables.data-00000-of-00001')));
    const e = index.entries.get('_CHECKPOINTABLE_OBJECT_GRAPH')!;
    data[e.offset + e.size - 1] ^= 1;
    const reader = new TfCheckpointReader(index, [bufferSource(data, 'data')]);
    await expect(reader.tensor('_CHECKPOINTABLE_OBJECT_GRAPH')).rejects.toThrow(/CRC32C mismatch/);
    expect(Array.from((await reader.tensor('v/.ATTRIBUTES/VARIABLE_VALUE')).data as Float32Array)).toEqual([
      3,
    ]);
  });

  it("gpt-tiny's OpenAI folder: 28 float32 variables named as OpenAI's model.py, conv weights [1, in, out]", async () => {
    const m = await readTfCheckpoint(fixturePath('gpt-tiny', 'openai', 'model.ckpt'));
    expect(m.size).toBe(2 * 12 + 4);
    expect(m.get('model/h0/attn/c_attn/w')!.shape).toEqual([1, 32, 96]);
    expect(m.get('model/wte')!.shape).toEqual([50257, 32]);
    expect(m.get('model/wte')!.data).toBeInstanceOf(Float32Array);
  });
});

describe('bundle writer and hostile bundles', () => {
  const { dir, cleanup } = makeTempDir('llmfs-tf-');
  afterAll(cleanup);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (let i = 0; i < 40; i++)
    tensors.set(`model/h${i}/mlp/c_fc/w`, {
      shape: [1, 2, 3],
      data: Float32Array.from({ length: 6 }, (_, j) => i * 10 + j),
    });
  tensors.set('model/wte', { shape: [5, 2], data: Float32Array.from({ length: 10 }, (_, j) => -j) });

  it('round trip through a multi-block index (prefix-compressed keys, restart points)', async () => {
    const { index } = buildTfBundle(tensors, { blockSize: 256 });
    const kvs = readLevelDbTable(index, 'idx');
    expect(kvs.length).toBe(42);
    const nBlocks = readIndexBlockCount(index);
    expect(nBlocks).toBeGreaterThan(3);
    const prefix = path.join(dir, 'model.ckpt');
    await writeTfCheckpoint(prefix, tensors, { blockSize: 256 });
    const back = await readTfCheckpoint(prefix);
    expect([...back.keys()]).toEqual([...tensors.keys()].sort());
    for (const [k, t] of tensors) {
      expect(back.get(k)!.shape).toEqual(t.shape);
      expect(Array.from(back.get(k)!.data as Float32Array)).toEqual(Array.from(t.data));
    }
  });

  it('a table with 1000 keys and restart interval 16 reads back in order', () => {
    const enc = new TextEncoder();
    const kvs: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 1000; i++)
      kvs.push([enc.encode(`key/${String(i).padStart(5, '0')}`), enc.encode(`v${i}`)]);
    const back = readLevelDbTable(writeLevelDbTable(kvs, { blockSize: 500 }), 't');
    expect(back.map(([k, v]) => new TextDecoder().decode(k) + '=' + new TextDecoder().decode(v))).toEqual(
      kvs.map(([k, v]) => new TextDecoder().decode(k) + '=' + new TextDecoder().decode(v)),
    );
  });

  it('corrupt data: tensor CRC mismatch, truncated data file, missing shard -> CheckpointError', async () => {
    const prefix = path.join(dir, 'bad.ckpt');
    await writeTfCheckpoint(prefix, tensors);
    const dataFile = `${prefix}.data-00000-of-00001`;
    const data = fs.readFileSync(dataFile);
    data[7] ^= 0x40;
    fs.writeFileSync(dataFile, data);
    await expect(readTfCheckpoint(prefix)).rejects.toThrow(CheckpointError);
    fs.truncateSync(dataFile, 10);
    await expect(readTfCheckpoint(prefix)).rejects.toThrow(
      /data-00000-of-00001: cut short: tensor ".*" ends at byte \d+, the file has 10$/,
    );
    fs.rmSync(dataFile);
    await expect(openTfCheckpoint(prefix)).rejects.toThrow(/missing data file/);
    await expect(openTfCheckpoint(path.join(dir, 'nothing'))).rejects.toThrow(CheckpointError);
  });

  it('bad magic, block checksum, snappy blocks -> CheckpointError with a reason', () => {
    const { index } = buildTfBundle(tensors, { blockSize: 256 });
    const noMagic = index.slice();
    noMagic[noMagic.length - 1] ^= 1;
    expect(() => parseBundleIndex(noMagic)).toThrow(/bad table magic/);
    const flipped = index.slice();
    flipped[3] ^= 1;
    expect(() => parseBundleIndex(flipped)).toThrow(/checksum mismatch/);
    // Mark the first data block as snappy (type 1) and fix its CRC, as a snappy writer would.
    const snappy = index.slice();
    const first = readLevelDbFirstHandle(snappy);
    snappy[first.offset + first.size] = 1;
    const crc = maskCrc(crc32c(snappy.subarray(first.offset, first.offset + first.size + 1)));
    new DataView(snappy.buffer).setUint32(first.offset + first.size + 1, crc, true);
    expect(() => parseBundleIndex(snappy)).toThrow(/snappy-compressed/);
  });

  it('byte-flip fuzzing of a valid index and data file: CheckpointError or correct values only', async () => {
    const { index, data } = buildTfBundle(tensors, { blockSize: 256 });
    const dataBytes = new Uint8Array(data.reduce((a, d) => a + d.bytes.length, 0));
    for (const d of data) dataBytes.set(d.bytes, d.offset);
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(100_000), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        async (inIndex, flips) => {
          const idx = index.slice();
          const dat = dataBytes.slice();
          const target = inIndex ? idx : dat;
          for (const [i, v] of flips) target[i % target.length] = v;
          try {
            const reader = new TfCheckpointReader(parseBundleIndex(idx, 'fuzz.index'), [
              bufferSource(dat, 'fuzz.data'),
            ]);
            for (const name of reader.names()) {
              const t = await reader.tensor(name);
              const want = tensors.get(name);
              if (want) expect(Array.from(t.data as Float32Array)).toEqual(Array.from(want.data));
            }
          } catch (e) {
            if (!(e instanceof CheckpointError)) throw e;
          }
        },
      ),
      { numRuns: 1500, seed: 7 },
    );
  });
});

// Number of data blocks: entries of the index block (footer -> index handle).
function readIndexBlockCount(table: Uint8Array): number {
  return readLevelDbTable(table, 't').length > 0 ? countIndexEntries(table) : 0;
}
function footerHandles(table: Uint8Array): Array<{ offset: number; size: number }> {
  const f = table.subarray(table.length - 48);
  const vals: number[] = [];
  let pos = 0;
  for (let k = 0; k < 4; k++) {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = f[pos++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) break;
    }
    vals.push(v);
  }
  return [
    { offset: vals[0], size: vals[1] },
    { offset: vals[2], size: vals[3] },
  ];
}
function countIndexEntries(table: Uint8Array): number {
  const idx = footerHandles(table)[1];
  // index blocks use restart interval 1: one restart point per entry
  return new DataView(table.buffer, table.byteOffset).getUint32(idx.offset + idx.size - 4, true);
}
function readLevelDbFirstHandle(table: Uint8Array): { offset: number; size: number } {
  // The writer puts the first data block at offset 0; its size is the first index entry's handle.
  const idx = footerHandles(table)[1];
  const block = table.subarray(idx.offset, idx.offset + idx.size);
  let pos = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = block[pos++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return v;
    }
  };
  varint(); // shared
  const keyLen = varint();
  varint(); // value length
  pos += keyLen;
  return { offset: varint(), size: varint() };
}
