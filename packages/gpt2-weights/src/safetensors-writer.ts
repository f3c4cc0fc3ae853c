// Serialises tensors as safetensors: a JSON header (space-padded to 8 bytes, `__metadata__` first),
// then each tensor's little-endian bytes in order. Values can be given lazily so a writer can stream.
import { encodeFromFloat32 } from './dtypes.js';
import { SafetensorsError } from './errors.js';

/** Storage dtypes the writer produces. */
export type WriteDtype = 'F32' | 'F16' | 'BF16';

/** A tensor to write; `data` may be a function so values are produced only when written. */
export interface TensorToWrite {
  shape: number[];
  dtype?: WriteDtype;
  data: Float32Array | (() => Float32Array | Promise<Float32Array>);
}

/** Input of the writers: name -> tensor, written in iteration order. */
export type TensorsToWrite = Map<string, TensorToWrite> | Record<string, TensorToWrite>;

const BYTES: Record<WriteDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** Builds the header bytes and the list of (name, tensor, byte size) in file order. */
export function planSafetensors(
  tensors: TensorsToWrite,
  metadata?: Record<string, string>,
  defaultDtype: WriteDtype = 'F32',
) {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let pos = 0;
  const items: Array<{ name: string; t: TensorToWrite; dtype: WriteDtype; size: number }> = [];
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new SafetensorsError(`tensor name "__metadata__" is reserved`);
    const dtype = t.dtype ?? defaultDtype;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (typeof t.data !== 'function' && t.data.length !== n) {
      throw new SafetensorsError(
        `tensor "${name}": ${t.data.length} values for shape ${JSON.stringify(t.shape)}`,
      );
    }
    const size = n * BYTES[dtype];
    // defineProperty: a tensor named "__proto__" must become a key, not the object's prototype.
    Object.defineProperty(header, name, {
      value: { dtype, shape: t.shape, data_offsets: [pos, pos + size] },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    items.push({ name, t, dtype, size });
    pos += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const prefix = new Uint8Array(8 + json.length);
  new DataView(prefix.buffer).setUint32(0, json.length, true);
  prefix.set(json, 8);
  return { prefix, items, dataSize: pos };
}

/** Encodes one planned tensor to bytes (checks the value count of lazy data too). */
export async function encodeTensor(name: string, t: TensorToWrite, dtype: WriteDtype): Promise<Uint8Array> {
  const data = typeof t.data === 'function' ? await t.data() : t.data;
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new SafetensorsError(
      `tensor "${name}": ${data.length} values for shape ${JSON.stringify(t.shape)}`,
    );
  return encodeFromFloat32(data, dtype);
}

/** Serialises tensors to one safetensors byte array (browser and Node). */
export async function serializeSafetensors(
  tensors: TensorsToWrite,
  metadata?: Record<string, string>,
  opts: { dtype?: WriteDtype } = {},
): Promise<Uint8Array> {
  const { prefix, items, dataSize } = planSafetensors(tensors, metadata, opts.dtype);
  const out = new Uint8Array(prefix.length + dataSize);
  out.set(prefix);
  let pos = prefix.length;
  for (const it of items) {
    out.set(await encodeTensor(it.name, it.t, it.dtype), pos);
    pos += it.size;
  }
  return out;
}
