// Reads safetensors tensor by tensor from any ByteSource (memory, browser File, Node file handle),
// so a 6.4 GB gpt2-xl file never has to sit in memory twice. F32/F16/BF16/F64 come out as float32.
import { bufferSource, type ByteSource } from './byte-source.js';
import { SafetensorsError } from './errors.js';
import { decodeToFloat32, FLOAT_DTYPES, LITTLE_ENDIAN, type FloatDtype } from './dtypes.js';
import {
  parseSafetensorsHeader,
  readHeaderSize,
  type SafetensorsEntry,
  type SafetensorsHeader,
} from './safetensors-header.js';

/** A tensor as this package hands it to the model: float32 values, row-major. */
export interface FloatTensor {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

/** An open safetensors file: the validated header, and tensors read on demand. */
export class SafetensorsReader {
  private readonly byName = new Map<string, SafetensorsEntry>();

  private constructor(
    readonly source: ByteSource,
    readonly header: SafetensorsHeader,
  ) {
    for (const e of header.entries) this.byName.set(e.name, e);
  }

  /** Validates the header of `source` (reads 8 bytes, checks the length, then reads the header). */
  static async open(source: ByteSource): Promise<SafetensorsReader> {
    const what = source.name;
    const first8 = await source.read(0, Math.min(8, source.size));
    const n = readHeaderSize(first8, source.size, what);
    const headerBytes = await source.read(8, n);
    return new SafetensorsReader(source, parseSafetensorsHeader(headerBytes, source.size, what));
  }

  /** Tensor names in header order. */
  names(): string[] {
    return this.header.entries.map((e) => e.name);
  }

  /** The `__metadata__` map. */
  get metadata(): Map<string, string> {
    return this.header.metadata;
  }

  /** The header record of `name`, or undefined. */
  entry(name: string): SafetensorsEntry | undefined {
    return this.byName.get(name);
  }

  /** Raw little-endian bytes of tensor `name`. */
  async rawBytes(name: string): Promise<Uint8Array> {
    const e = this.byName.get(name);
    if (!e) throw new SafetensorsError(`${this.source.name}: no tensor "${name}"`);
    return this.source.read(this.header.dataStart + e.begin, e.end - e.begin);
  }

  /** Tensor `name` as float32 (F32, F16, BF16 and F64 are converted; other dtypes are an error). */
  async tensor(name: string): Promise<FloatTensor> {
    const e = this.byName.get(name);
    if (!e) throw new SafetensorsError(`${this.source.name}: no tensor "${name}"`);
    if (!(FLOAT_DTYPES as readonly string[]).includes(e.dtype)) {
      throw new SafetensorsError(
        `${this.source.name}: tensor "${name}" has dtype ${e.dtype}; only F32, F16, BF16 and F64 load as float32`,
      );
    }
    const start = this.header.dataStart + e.begin;
    if (e.dtype === 'F32' && this.source.readInto && LITTLE_ENDIAN) {
      // Straight into the result's memory: no intermediate byte copy.
      const data = new Float32Array((e.end - e.begin) / 4);
      await this.source.readInto(start, new Uint8Array(data.buffer));
      return { dtype: e.dtype, shape: [...e.shape], data };
    }
    const bytes = await this.rawBytes(name);
    return { dtype: e.dtype, shape: [...e.shape], data: decodeToFloat32(bytes, e.dtype as FloatDtype) };
  }

  /** Releases the underlying file handle, if any. */
  async close(): Promise<void> {
    await this.source.close?.();
  }
}

/** Parses a whole safetensors file held in memory into float32 tensors (browser and Node). */
export async function readSafetensorsAsync(
  bytes: Uint8Array,
  name = 'buffer',
): Promise<Map<string, FloatTensor>> {
  const reader = await SafetensorsReader.open(bufferSource(bytes, name));
  const out = new Map<string, FloatTensor>();
  for (const n of reader.names()) out.set(n, await reader.tensor(n));
  return out;
}

/** Synchronous form of readSafetensorsAsync for bytes already in memory. */
export function readSafetensors(bytes: Uint8Array, name = 'buffer'): Map<string, FloatTensor> {
  const n = readHeaderSize(bytes.subarray(0, 8), bytes.length, name);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, name);
  const out = new Map<string, FloatTensor>();
  for (const e of header.entries) {
    if (!(FLOAT_DTYPES as readonly string[]).includes(e.dtype)) {
      throw new SafetensorsError(
        `${name}: tensor "${e.name}" has dtype ${e.dtype}; only F32, F16, BF16 and F64 load as float32`,
      );
    }
    const raw = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    out.set(e.name, {
      dtype: e.dtype,
      shape: [...e.shape],
      data: decodeToFloat32(raw, e.dtype as FloatDtype),
    });
  }
  return out;
}
