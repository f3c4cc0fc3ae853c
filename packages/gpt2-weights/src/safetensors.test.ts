// safetensors: round trips (F32/F16/BF16), each header rule of the reference parser broken on purpose,
// byte-flip fuzzing (only SafetensorsError, never a RangeError or an allocation past the file size),
// pickles and zips refused, the file and Blob readers, crash-safe writes.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { blobSource } from './byte-source.js';
import { floatToHalf, halfToFloat } from './dtypes.js';
import { SafetensorsError } from './errors.js';
import { MAX_HEADER_SIZE } from './safetensors-header.js';
import { readSafetensors, SafetensorsReader } from './safetensors-reader.js';
import { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
import { serializeSafetensors } from './safetensors-writer.js';

/** A safetensors file from a header string (unpadded) and data bytes, built by hand (not by the writer). */
function craft(header: string, data: Uint8Array | number = 0, sizeField?: number): Uint8Array {
  const h = new TextEncoder().encode(header);
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, sizeField ?? h.length, true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

const f32 = (vals: number[]) => new Uint8Array(new Float32Array(vals).buffer);

describe('safetensors reader: valid files', () => {
  it('reads a hand-made file with an unaligned data section and __proto__ as a tensor name', () => {
    // header of 61 bytes -> data starts at byte 69, not 4-byte aligned
    const header = '{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const bytes = craft(header, f32([1.5, -2]));
    expect((8 + header.length) % 4).not.toBe(0);
    const m = readSafetensors(bytes);
    expect([...m.keys()]).toEqual(['__proto__']);
    expect(Array.from(m.get('__proto__')!.data)).toEqual([1.5, -2]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('F16 and BF16 decode to float32 exactly as IEEE defines them', () => {
    const data = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x80, 0x3f, 0x20, 0x41]);
    // F16 1.0, -2.0, smallest subnormal 2^-24; BF16 1.0 (0x3f80), 10.0 (0x4120)
    const header =
      '{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}';
    const m = readSafetensors(craft(header, data));
    expect(Array.from(m.get('a')!.data)).toEqual([1, -2, 2 ** -24]);
    expect(Array.from(m.get('b')!.data)).toEqual([1, 10]);
  });

  it('writer round trip: F32 bit-exact, F16/BF16 within their rounding, metadata kept, header padded to 8', async () => {
    const vals = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const bytes = await serializeSafetensors(
      {
        w: { shape: [10, 100], data: vals },
        h: { shape: [1000], dtype: 'F16', data: vals },
        b: { shape: [1000], dtype: 'BF16', data: vals },
      },
      { format: 'pt' },
    );
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0);
    const reader = await SafetensorsReader.open({
      size: bytes.length,
      name: 'mem',
      read: async (o, l) => bytes.subarray(o, o + l),
    });
    expect(reader.metadata.get('format')).toBe('pt');
    const w = await reader.tensor('w');
    expect(w.shape).toEqual([10, 100]);
    expect(Buffer.from(w.data.buffer).equals(Buffer.from(vals.buffer))).toBe(true);
    const h = await reader.tensor('h');
    const b = await reader.tensor('b');
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i];
      // F16: 11-bit significand -> relative error <= 2^-11 for normals; subnormals (|v| < 2^-14) absolute 2^-25
      expect(Math.abs(h.data[i] - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
      expect(Math.abs(b.data[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -8);
    }
  });

  it('floatToHalf rounds to nearest even and saturates to infinity', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(70000)).toBe(0x7c00);
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // tie -> even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
  });

  it('reads a browser Blob range by range', async () => {
    const bytes = await serializeSafetensors({ x: { shape: [3], data: new Float32Array([1, 2, 3]) } });
    const reader = await SafetensorsReader.open(
      blobSource(new Blob([bytes.slice().buffer as ArrayBuffer]), 'x.safetensors'),
    );
    expect(Array.from((await reader.tensor('x')).data)).toEqual([1, 2, 3]);
  });
});

// Each rule of the reference parser, broken once. The message must name the file.
const BAD: Array<[string, Uint8Array]> = [
  ['file shorter than 8 bytes', new Uint8Array(5)],
  ['header size over the limit', craft('{}', 0, MAX_HEADER_SIZE + 1)],
  ['header size past the end of the file', craft('{}', 0, 1000)],
  ['header not UTF-8', craft('{"\xff":1}'.replace('\xff', '\u0000'), 0).map((b, i) => (i === 10 ? 0xff : b))],
  ['header not starting with {', craft(' {}')],
  ['header not JSON', craft('{"a":')],
  ['header a JSON array', craft('[]')],
  [
    'duplicate key',
    craft(
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      4,
    ),
  ],
  ['unknown dtype', craft('{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}', 4)],
  ['negative shape', craft('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4)],
  ['fractional shape', craft('{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', 4)],
  ['size disagrees with shape', craft('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4)],
  [
    'gap between tensors',
    craft(
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}',
      12,
    ),
  ],
  [
    'overlapping tensors',
    craft(
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
      8,
    ),
  ],
  ['reversed offsets', craft('{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', 4)],
  ['first tensor not at 0', craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8)],
  ['tensor past the end of the data', craft('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8)],
  ['bytes left over', craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 8)],
  [
    'shape overflow',
    craft('{"a":{"dtype":"F32","shape":[9007199254740991,9007199254740991],"data_offsets":[0,4]}}', 4),
  ],
  ['metadata value not a string', craft('{"__metadata__":{"k":1}}')],
  ['unknown field', craft('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}', 4)],
  ['nesting too deep', craft('{"__metadata__":' + '['.repeat(5000) + ']'.repeat(5000) + '}')],
  ['pickle', new Uint8Array([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20])],
  ['zip (torch.save)', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0])],
];

describe('safetensors reader: hostile headers', () => {
  it.each(BAD)('%s -> SafetensorsError naming the file', (_label, bytes) => {
    let err: unknown;
    try {
      readSafetensors(bytes, 'bad.safetensors');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafetensorsError);
    expect((err as Error).message).toContain('bad.safetensors');
    expect((err as Error).message).not.toContain('\n');
  });

  it('pickles and zips get the advice to use safetensors', () => {
    for (const [label, bytes] of BAD.slice(-2))
      expect(() => readSafetensors(bytes, label)).toThrow(
        'PyTorch pickle files are not supported; use safetensors',
      );
  });

  it('byte-flip fuzzing of a valid file: it parses or throws SafetensorsError, nothing else', async () => {
    const valid = await serializeSafetensors(
      {
        a: { shape: [2, 3], data: new Float32Array(6).fill(1) },
        b: { shape: [4], dtype: 'F16', data: new Float32Array(4) },
      },
      { k: 'v' },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (flips) => {
          const bytes = valid.slice();
          for (const [i, v] of flips) bytes[i] = v;
          try {
            const m = readSafetensors(bytes, 'fuzz');
            let total = 0;
            for (const t of m.values()) total += t.data.length;
            expect(total * 4).toBeLessThanOrEqual(bytes.length * 2); // no element count beyond the file's bytes
          } catch (e) {
            if (!(e instanceof SafetensorsError)) throw e;
          }
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });
});

describe('safetensors files (Node)', () => {
  const { dir, cleanup } = makeTempDir('llmfs-st-');
  afterAll(cleanup);

  it('writeSafetensors streams lazy tensors, leaves no temp file, and reads back tensor by tensor', async () => {
    const file = path.join(dir, 'm.safetensors');
    let produced = 0;
    await writeSafetensors(
      file,
      new Map([
        ['x', { shape: [2, 2], data: () => (produced++, new Float32Array([1, 2, 3, 4])) }],
        ['y', { shape: [1], data: new Float32Array([5]) }],
      ]),
      { format: 'pt' },
    );
    expect(produced).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
    const r = await openSafetensorsFile(file);
    expect(r.names()).toEqual(['x', 'y']);
    expect(Array.from((await r.tensor('y')).data)).toEqual([5]);
    await r.close();
  });

  it('a failing write leaves the previous file intact and no temp file', async () => {
    const file = path.join(dir, 'keep.safetensors');
    await writeSafetensors(file, { a: { shape: [1], data: new Float32Array([7]) } });
    const before = fs.readFileSync(file);
    await expect(
      writeSafetensors(file, { a: { shape: [2], data: () => new Float32Array(3) } }),
    ).rejects.toThrow(SafetensorsError);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a header length over the limit is refused before the header is read', async () => {
    const file = path.join(dir, 'huge-header.safetensors');
    fs.writeFileSync(file, craft('{}', 0, 0xfffffff0));
    await expect(openSafetensorsFile(file)).rejects.toThrow(/exceeds the 100000000-byte limit/);
  });
});
