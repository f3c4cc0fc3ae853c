// Node entry points for safetensors files: open for tensor-by-tensor reading, and crash-safe writing.
import { SafetensorsReader } from './safetensors-reader.js';
import { encodeTensor, planSafetensors, type TensorsToWrite, type WriteDtype } from './safetensors-writer.js';

/** Opens a safetensors file (Node) and validates its header; read tensors with `.tensor(name)`, then `.close()`. */
export async function openSafetensorsFile(filePath: string): Promise<SafetensorsReader> {
  const { fileSource } = await import('./node-files.js');
  const src = await fileSource(filePath);
  try {
    return await SafetensorsReader.open(src);
  } catch (err) {
    await src.close?.();
    throw err;
  }
}

/** Writes tensors to `filePath` (Node), streaming one tensor at a time, through a temp file + fsync + rename. */
export async function writeSafetensors(
  filePath: string,
  tensors: TensorsToWrite,
  metadata?: Record<string, string>,
  opts: { dtype?: WriteDtype } = {},
): Promise<void> {
  const { writeFileAtomic } = await import('./node-files.js');
  const { prefix, items } = planSafetensors(tensors, metadata, opts.dtype);
  async function* chunks() {
    yield prefix;
    for (const it of items) yield await encodeTensor(it.name, it.t, it.dtype);
  }
  await writeFileAtomic(filePath, chunks());
}
