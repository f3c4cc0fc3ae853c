// Node-only file plumbing, loaded lazily (dynamic import) so browser bundles of the package never need
// node:fs: a file-handle ByteSource, and crash-safe writes (temp file, fsync, rename, fsync of the folder).
import { GPT2WeightsError } from './errors.js';
import type { ByteSource } from './byte-source.js';

async function fsp() {
  return import('node:fs/promises');
}

/** A ByteSource over a file, read with positioned reads (the file is never loaded whole). */
export async function fileSource(filePath: string): Promise<ByteSource> {
  const fs = await fsp();
  const fh = await fs.open(filePath, 'r');
  const { size } = await fh.stat();
  const readInto = async (offset: number, buf: Uint8Array): Promise<void> => {
    const length = buf.length;
    let done = 0;
    while (done < length) {
      // Node caps one read at 2 GiB; read in 64 MiB pieces.
      const { bytesRead } = await fh.read(buf, done, Math.min(length - done, 64 << 20), offset + done);
      if (bytesRead === 0)
        throw new GPT2WeightsError(`${filePath}: unexpected end of file at ${offset + done}`);
      done += bytesRead;
    }
  };
  return {
    size,
    name: filePath,
    async read(offset, length) {
      const buf = new Uint8Array(length);
      await readInto(offset, buf);
      return buf;
    },
    readInto,
    close: () => fh.close(),
  };
}

/**
 * Writes a file so that a crash never leaves a half-written file under `filePath`: the chunks go to a
 * temporary file beside it, which is fsynced and renamed over the target, then the folder is fsynced.
 */
export async function writeFileAtomic(
  filePath: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  const fs = await fsp();
  const path = await import('node:path');
  const tmp = `${filePath}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const fh = await fs.open(tmp, 'w');
  try {
    for await (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    }
    await fh.sync();
    await fh.close();
    await fs.rename(tmp, filePath);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(path.dirname(filePath));
}

/** fsync a folder so a rename inside it survives a power cut (a no-op where the OS refuses). */
export async function fsyncDir(dir: string): Promise<void> {
  const fs = await fsp();
  try {
    const dh = await fs.open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  }
}

/** The real path of `p` (symlinks resolved), also when `p` does not exist yet: its nearest existing
 *  ancestor is resolved and the rest appended. */
export async function realPathOf(p: string): Promise<string> {
  const fs = await fsp();
  const path = await import('node:path');
  let head = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(head), ...rest.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return path.resolve(p);
      rest.push(path.basename(head));
      head = up;
    }
  }
}
