// A DataLoader over a uint16 token file (streaming counterpart of createDataLoaderV1; Node only).
import { openTokenFileDataset, type TokenFileDataset } from './token-file-dataset.js';
import { DEFAULT_MAX_LENGTH, DEFAULT_STRIDE, WindowLoader, type LoaderOptions } from './window-loader.js';

/** Options of createTokenFileLoader: createDataLoaderV1's, plus the read buffer size. */
export interface TokenFileLoaderOptions extends LoaderOptions {
  maxLength?: number;
  stride?: number;
  /** Read-ahead buffer in tokens (default 65536); memory use is bounded by it, not by the file. */
  bufferTokens?: number;
}

/** A DataLoader reading its windows from a token file; `close()` releases the file. */
export interface TokenFileLoader extends WindowLoader<TokenFileDataset> {
  close(): void;
}

/**
 * Opens `file` (written by writeTokenFile) and batches its windows exactly as createDataLoaderV1 would
 * batch the same ids with the same options and seed.
 */
export async function createTokenFileLoader(
  file: string,
  opts: TokenFileLoaderOptions = {},
): Promise<TokenFileLoader> {
  const dataset = await openTokenFileDataset(
    file,
    opts.maxLength ?? DEFAULT_MAX_LENGTH,
    opts.stride ?? DEFAULT_STRIDE,
    opts.bufferTokens,
  );
  let loader: WindowLoader<TokenFileDataset>;
  try {
    loader = new WindowLoader(dataset, opts);
  } catch (e) {
    dataset.close();
    throw e;
  }
  return Object.assign(loader, { close: () => dataset.close() });
}
