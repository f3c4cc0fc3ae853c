// Node entry points for TensorFlow checkpoints: open `<prefix>.index` + data shards, or read all tensors.
import { CheckpointError } from './errors.js';
import { parseBundleIndex, shardFileName, TfCheckpointReader, type TfTensor } from './tf-bundle.js';
import type { ByteSource } from './byte-source.js';

const MAX_INDEX_BYTES = 256 * 1024 * 1024;

/** Opens the checkpoint whose files start with `prefix` (e.g. `.../124M/model.ckpt`). */
export async function openTfCheckpoint(prefix: string): Promise<TfCheckpointReader> {
  const fs = await import('node:fs/promises');
  const { fileSource } = await import('./node-files.js');
  const indexPath = `${prefix}.index`;
  let st;
  try {
    st = await fs.stat(indexPath);
  } catch {
    throw new CheckpointError(`${indexPath}: no such file (expected a TensorFlow checkpoint index)`);
  }
  if (st.size > MAX_INDEX_BYTES)
    throw new CheckpointError(`${indexPath}: ${st.size} bytes is too large for a checkpoint index`);
  const index = parseBundleIndex(new Uint8Array(await fs.readFile(indexPath)), indexPath);
  const shards: ByteSource[] = [];
  try {
    for (let i = 0; i < index.numShards; i++) {
      const file = shardFileName(prefix, i, index.numShards);
      try {
        shards.push(await fileSource(file));
      } catch {
        throw new CheckpointError(`${file}: missing data file of the checkpoint`);
      }
    }
    return new TfCheckpointReader(index, shards); // checks every tensor's bytes lie inside its shard
  } catch (err) {
    for (const s of shards) await s.close?.();
    throw err;
  }
}

/** Reads every numeric tensor of a checkpoint (string tensors are skipped unless `includeStrings`). */
export async function readTfCheckpoint(
  prefix: string,
  opts: { includeStrings?: boolean } = {},
): Promise<Map<string, TfTensor>> {
  const reader = await openTfCheckpoint(prefix);
  try {
    const out = new Map<string, TfTensor>();
    for (const name of reader.names()) {
      if (reader.entry(name)!.dtype === 'string' && !opts.includeStrings) continue;
      out.set(name, await reader.tensor(name));
    }
    return out;
  } finally {
    await reader.close();
  }
}
