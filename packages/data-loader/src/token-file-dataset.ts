// GPTDatasetV1's windows read from a uint16 token file through a bounded buffer, never the whole file.
// Sequential access reads ahead `bufferTokens` at a time; random (shuffled) access reads one window.
import { countWindows } from './check-options.js';
import { DataLoaderError } from './data-loader-error.js';
import { uint16BytesToIds } from './uint16-bytes.js';
import type { WindowSource } from './window-loader.js';

/**
 * The synchronous file calls the dataset needs; node:fs fits it (loaded lazily by openTokenFileDataset).
 * Written out so the published types do not need @types/node.
 */
export interface SyncFs {
  openSync(path: string, flags: string): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
}

/** Read counters, to show the buffer stays bounded. */
export interface TokenFileReadStats {
  reads: number;
  bytesRead: number;
  largestReadBytes: number;
}

/** Default read-ahead of the token file reader, in tokens (128 KiB). */
export const DEFAULT_BUFFER_TOKENS = 65536;

/** Windows of `maxLength` + 1 tokens at `stride` over a uint16 token file. Close it when done. */
export class TokenFileDataset implements WindowSource {
  readonly length: number;
  readonly numTokens: number;
  readonly bufferTokens: number;
  readonly stats: TokenFileReadStats = { reads: 0, bytesRead: 0, largestReadBytes: 0 };
  private fd: number | null;
  private readonly bytes: Uint8Array;
  private readonly buffer: Int32Array;
  private bufferStart = 0;
  private bufferLength = 0;
  private lastWindow = -2;

  constructor(
    private readonly fs: SyncFs,
    readonly file: string,
    readonly maxLength: number,
    readonly stride: number,
    bufferTokens = DEFAULT_BUFFER_TOKENS,
  ) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      throw new DataLoaderError(`token file ${file} cannot be opened; write it first with writeTokenFile`);
    }
    const size = fs.fstatSync(fd).size;
    if (size % 2 !== 0) {
      fs.closeSync(fd);
      throw new DataLoaderError(
        `token file ${file} has an odd size (${size} bytes); it is not a uint16 token file`,
      );
    }
    this.fd = fd;
    this.numTokens = size / 2;
    try {
      this.length = countWindows(this.numTokens, maxLength, stride, `token file ${file}`);
    } catch (e) {
      this.close();
      throw e;
    }
    this.bufferTokens = Math.max(bufferTokens, maxLength + 1);
    this.bytes = new Uint8Array(2 * this.bufferTokens);
    this.buffer = new Int32Array(this.bufferTokens);
  }

  /** Token ids `[start, start + count)` (count <= bufferTokens), served from the buffer when possible. */
  private tokens(start: number, count: number, readAhead: boolean): Int32Array {
    const off = start - this.bufferStart;
    if (off < 0 || off + count > this.bufferLength) {
      const n = Math.min(readAhead ? this.bufferTokens : count, this.numTokens - start);
      this.fill(start, n);
    }
    const at = start - this.bufferStart;
    return this.buffer.subarray(at, at + count);
  }

  private fill(start: number, n: number): void {
    if (this.fd === null) throw new DataLoaderError(`token file ${this.file} is closed`);
    let got = 0;
    while (got < 2 * n) {
      const r = this.fs.readSync(this.fd, this.bytes, got, 2 * n - got, 2 * start + got);
      if (r === 0)
        throw new DataLoaderError(
          `token file ${this.file} ended early at token ${start + got / 2}; was it truncated?`,
        );
      got += r;
    }
    uint16BytesToIds(this.bytes, 0, n, this.buffer, 0);
    this.bufferStart = start;
    this.bufferLength = n;
    this.stats.reads++;
    this.stats.bytesRead += 2 * n;
    this.stats.largestReadBytes = Math.max(this.stats.largestReadBytes, 2 * n);
  }

  /** Window `i` (copies), like GPTDatasetV1.get. */
  get(i: number): { inputIds: Int32Array; targetIds: Int32Array } {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new RangeError(`TokenFileDataset.get: index ${i} is outside 0..${this.length - 1}`);
    }
    const w = this.window(i);
    return { inputIds: w.slice(0, this.maxLength), targetIds: w.slice(1) };
  }

  private window(i: number): Int32Array {
    const sequential = i === this.lastWindow + 1;
    this.lastWindow = i;
    return this.tokens(i * this.stride, this.maxLength + 1, sequential);
  }

  copyWindowInto(i: number, inputs: Int32Array, targets: Int32Array, row: number): void {
    const w = this.window(i);
    const T = this.maxLength;
    inputs.set(w.subarray(0, T), row * T);
    targets.set(w.subarray(1, T + 1), row * T);
  }

  /** Closes the file; later reads throw. */
  close(): void {
    if (this.fd !== null) this.fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Opens a token file as a dataset of windows (Node only; node:fs is loaded on first use). */
export async function openTokenFileDataset(
  file: string,
  maxLength: number,
  stride: number,
  bufferTokens?: number,
): Promise<TokenFileDataset> {
  const fs = await import('node:fs');
  return new TokenFileDataset(fs, file, maxLength, stride, bufferTokens);
}
