// Validation of a safetensors header, as strict as the reference Rust parser (huggingface/safetensors
// `SafeTensors::read_metadata` + `Metadata::validate`): size limit before allocation, UTF-8, a JSON object
// without duplicate keys, known dtypes, shape x dtype size = byte size, offsets contiguous from 0 with no
// gaps or overlaps, and no bytes left over after the last tensor.
import { SafetensorsError } from './errors.js';
import { SAFETENSORS_DTYPE_SIZES } from './dtypes.js';
import { parseStrictJson, StrictJsonError, type JsonValue } from './strict-json.js';

/** The reference parser's limit on the JSON header (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

/** One tensor's header record; offsets are relative to the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header. `entries` are in header order; `dataStart` = 8 + header length. */
export interface SafetensorsHeader {
  headerSize: number;
  dataStart: number;
  entries: SafetensorsEntry[];
  metadata: Map<string, string>;
}

/** Reads the 8-byte little-endian header length and checks it against the limit and the file size. */
export function readHeaderSize(first8: Uint8Array, fileSize: number, what: string): number {
  if (fileSize < 8 || first8.length < 8)
    throw new SafetensorsError(`${what}: file too small for a safetensors header (${fileSize} bytes)`);
  sniffForeignFormat(first8, what);
  const dv = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_SIZE) {
    throw new SafetensorsError(
      `${what}: header size ${hi ? 'over 4 GiB' : lo} exceeds the ${MAX_HEADER_SIZE}-byte limit`,
    );
  }
  if (8 + lo > fileSize)
    throw new SafetensorsError(
      `${what}: header size ${lo} runs past the end of the file (${fileSize} bytes)`,
    );
  return lo;
}

/** PyTorch pickles (raw or zipped .bin/.pt) are recognised and refused with the usual advice. */
export function sniffForeignFormat(first: Uint8Array, what: string): void {
  const isZip = first[0] === 0x50 && first[1] === 0x4b && first[2] === 0x03 && first[3] === 0x04;
  const isPickle = first[0] === 0x80 && first[1] >= 2 && first[1] <= 5;
  if (isZip || isPickle)
    throw new SafetensorsError(`${what}: PyTorch pickle files are not supported; use safetensors`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses and validates the header JSON (`headerBytes`, N bytes) of a file of `fileSize` bytes. */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  fileSize: number,
  what: string,
): SafetensorsHeader {
  const headerSize = headerBytes.length;
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    throw new SafetensorsError(`${what}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new SafetensorsError(`${what}: header does not start with '{'`);
  let json: JsonValue;
  try {
    json = parseStrictJson(text);
  } catch (err) {
    if (err instanceof StrictJsonError) throw new SafetensorsError(`${what}: header JSON: ${err.message}`);
    throw err;
  }
  if (!(json instanceof Map)) throw new SafetensorsError(`${what}: header is not a JSON object`);
  const metadata = new Map<string, string>();
  const entries: SafetensorsEntry[] = [];
  for (const [name, info] of json) {
    if (name === '__metadata__') {
      if (!(info instanceof Map)) throw new SafetensorsError(`${what}: __metadata__ is not an object`);
      for (const [k, v] of info) {
        if (typeof v !== 'string')
          throw new SafetensorsError(`${what}: __metadata__ value of "${k}" is not a string`);
        metadata.set(k, v);
      }
      continue;
    }
    entries.push(parseEntry(name, info, what));
  }
  const dataSize = fileSize - 8 - headerSize;
  validateOffsets(entries, dataSize, what);
  return { headerSize, dataStart: 8 + headerSize, entries, metadata };
}

function parseEntry(name: string, info: JsonValue, what: string): SafetensorsEntry {
  const bad = (msg: string): never => {
    throw new SafetensorsError(`${what}: tensor "${name}": ${msg}`);
  };
  if (!(info instanceof Map)) return bad('entry is not an object');
  for (const k of info.keys())
    if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') bad(`unknown field "${k}"`);
  const dtype = info.get('dtype');
  if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_SIZES, dtype)) {
    bad(`unknown dtype ${JSON.stringify(dtype)}`);
  }
  const shape = info.get('shape');
  if (!Array.isArray(shape)) return bad('shape is not an array');
  for (const d of shape)
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) bad(`bad shape ${JSON.stringify(shape)}`);
  const offs = info.get('data_offsets');
  if (!Array.isArray(offs) || offs.length !== 2) return bad('data_offsets is not [begin, end]');
  const [begin, end] = offs;
  if (
    typeof begin !== 'number' ||
    typeof end !== 'number' ||
    !Number.isSafeInteger(begin) ||
    !Number.isSafeInteger(end) ||
    begin < 0 ||
    end < 0
  ) {
    bad(`bad data_offsets ${JSON.stringify(offs)}`);
  }
  return {
    name,
    dtype: dtype as string,
    shape: shape as number[],
    begin: begin as number,
    end: end as number,
  };
}

function validateOffsets(entries: SafetensorsEntry[], dataSize: number, what: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos || e.end < e.begin) {
      throw new SafetensorsError(
        `${what}: tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] ${e.begin > pos ? 'leave a gap' : 'overlap or are reversed'} (expected begin ${pos})`,
      );
    }
    let n = 1;
    for (const d of e.shape) {
      n *= d;
      if (!Number.isSafeInteger(n))
        throw new SafetensorsError(`${what}: tensor "${e.name}": shape ${JSON.stringify(e.shape)} overflows`);
    }
    const bytes = n * SAFETENSORS_DTYPE_SIZES[e.dtype];
    if (!Number.isSafeInteger(bytes) || bytes !== e.end - e.begin) {
      throw new SafetensorsError(
        `${what}: tensor "${e.name}": ${e.dtype} ${JSON.stringify(e.shape)} needs ${bytes} bytes, data_offsets give ${e.end - e.begin}`,
      );
    }
    if (e.end > dataSize)
      throw new SafetensorsError(
        `${what}: tensor "${e.name}": data_offsets end ${e.end} past the end of the data (${dataSize} bytes)`,
      );
    pos = e.end;
  }
  if (pos !== dataSize)
    throw new SafetensorsError(`${what}: ${dataSize - pos} bytes left over after the last tensor`);
}
