// Hugging Face sharded checkpoints (Node): `model.safetensors.index.json` maps each tensor name to one
// of several files (`model-00001-of-00003.safetensors`, ...). Every shard is opened and its header
// validated against its size when the index is opened, so a missing or truncated shard is an error
// that names that shard before any weight is read; tensors are then read from their own shard.
import { SafetensorsError } from './errors.js';
import type { FloatTensor, SafetensorsReader } from './safetensors-reader.js';
import type { SafetensorsEntry } from './safetensors-header.js';

/** The index file of a sharded Hugging Face checkpoint. */
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** What a WeightSource needs of a safetensors reader; one file and a sharded set both provide it. */
export interface TensorReader {
  /** The file for messages (the index file for a sharded set). */
  readonly source: { readonly name: string };
  names(): string[];
  entry(name: string): SafetensorsEntry | undefined;
  tensor(name: string): Promise<FloatTensor>;
  /** The file that holds tensor `name` (its shard), for messages. */
  fileOf?(name: string): string;
  close(): Promise<void>;
}

/** Opens the shards listed by `<dir>/model.safetensors.index.json`. */
export async function openShardedSafetensors(dir: string): Promise<TensorReader> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { openSafetensorsFile } = await import('./safetensors-file.js');
  const indexPath = path.join(dir, SAFETENSORS_INDEX_FILE);
  let index: { weight_map?: unknown };
  try {
    index = JSON.parse(await fs.readFile(indexPath, 'utf8'));
  } catch (err) {
    throw new SafetensorsError(
      `${indexPath}: ${err instanceof SyntaxError ? 'not valid JSON' : 'cannot read the file'}`,
    );
  }
  const map = index?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map) || Object.keys(map).length === 0)
    throw new SafetensorsError(`${indexPath}: "weight_map" must be a non-empty object of tensor -> file`);
  const fileByTensor = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    // a shard is a file beside the index, never a path that leaves the model directory
    if (typeof file !== 'string' || !/^[\w.-]+\.safetensors$/.test(file) || file.startsWith('.'))
      throw new SafetensorsError(
        `${indexPath}: tensor "${tensor}" maps to ${JSON.stringify(file)}, not a .safetensors file name`,
      );
    fileByTensor.set(tensor, file);
  }
  const shards = new Map<string, SafetensorsReader>();
  const closeAll = async () => {
    for (const r of shards.values()) await r.close();
  };
  try {
    for (const file of new Set(fileByTensor.values())) {
      const p = path.join(dir, file);
      const exists = await fs.stat(p).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!exists) throw new SafetensorsError(`${p}: missing shard listed in ${SAFETENSORS_INDEX_FILE}`);
      shards.set(file, await openSafetensorsFile(p));
    }
    for (const [tensor, file] of fileByTensor)
      if (!shards.get(file)!.entry(tensor))
        throw new SafetensorsError(
          `${path.join(dir, file)}: no tensor "${tensor}", which ${SAFETENSORS_INDEX_FILE} places there`,
        );
  } catch (err) {
    await closeAll();
    throw err;
  }
  const shardOf = (name: string): SafetensorsReader => {
    const file = fileByTensor.get(name);
    if (file === undefined) throw new SafetensorsError(`${indexPath}: no tensor "${name}"`);
    return shards.get(file)!;
  };
  return {
    source: { name: indexPath },
    names: () => [...fileByTensor.keys()],
    entry: (name) => (fileByTensor.has(name) ? shardOf(name).entry(name) : undefined),
    tensor: (name) => shardOf(name).tensor(name),
    fileOf: (name) => shardOf(name).source.name,
    close: closeAll,
  };
}
