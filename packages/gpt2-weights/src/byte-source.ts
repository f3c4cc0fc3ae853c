// Random-access byte sources for the readers: an in-memory Uint8Array or a browser File/Blob.
// (The Node file-handle source lives in node-file-source.ts and is loaded lazily.)

/** Something a reader can take byte ranges from without holding it all in memory. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for error messages (file path, "buffer"). */
  readonly name: string;
  /** Reads exactly `length` bytes at `offset` (caller guarantees the range lies inside `size`). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Optional: reads `target.length` bytes at `offset` straight into `target` (saves a copy). */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  close?(): Promise<void>;
}

/** A ByteSource over bytes already in memory (views, no copies). */
export function bufferSource(bytes: Uint8Array, name = 'buffer'): ByteSource {
  return {
    size: bytes.length,
    name,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A ByteSource over a browser File or Blob, read range by range. */
export function blobSource(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return {
    size: blob.size,
    name,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}
