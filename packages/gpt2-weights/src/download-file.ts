// downloadFile (Node): one URL (plus backups) to one file, reliably. The bytes go to `<dest>.part`, a
// name that a later run finds again: an interrupted download (broken connection, killed process) resumes
// with an HTTP Range request (If-Range on the saved ETag, so a changed file restarts); a server that
// ignores Range restarts from byte 0 without duplicating bytes; 5xx/429 and dropped connections are
// retried a bounded number of times; 404 is a typed error at once. The file is renamed into place only
// after its size and sha256 (when known) check out. Processes downloading the same file take turns
// through `<dest>.lock` (two writers of one `.part` would splice their bytes); one that waited finds
// the file in place and returns.
import { DownloadError } from './errors.js';
import type { LockOwner } from './lock-file.js';

/** Options of downloadFile. */
export interface DownloadFileOptions {
  /** Expected size in bytes, when known. */
  size?: number;
  /** Expected lowercase hex sha256, when known. */
  sha256?: string;
  /** Called as bytes arrive: (bytes on disk, total or undefined). */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Failed attempts allowed in a row without progress (default 4). */
  retries?: number;
  /** Base delay between retries in ms, doubled each time (default 500). */
  retryDelayMs?: number;
  /** How long to wait for another process downloading the same file (default 30 minutes). */
  lockWaitMs?: number;
  /** Called when another process is downloading the same file and this one waits for it. */
  onLockWait?: (owner: LockOwner) => void;
  /** fetch implementation (default globalThis.fetch). */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

class RetryableError extends Error {}

interface PartMeta {
  url: string;
  etag?: string;
  total?: number;
}

/** Downloads the first URL of `urls` that exists to `dest`; see the file header for the guarantees. */
export async function downloadFile(
  urls: string | string[],
  dest: string,
  opts: DownloadFileOptions = {},
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const list = Array.isArray(urls) ? urls : [urls];
  const part = `${dest}.part`;
  const metaPath = `${dest}.part.json`;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const { acquireFileLock } = await import('./lock-file.js');
  const lock = await acquireFileLock(`${dest}.lock`, {
    command: 'download',
    waitMs: opts.lockWaitMs ?? 30 * 60_000,
    onWait: opts.onLockWait,
  });
  try {
    const done = await fs.stat(dest).then(
      (s) => s.isFile(),
      () => false,
    );
    if (lock.waited && done) return; // the other process finished this very download
    await downloadUnlocked(list, dest, part, metaPath, opts);
  } finally {
    lock.release();
  }
}

async function downloadUnlocked(
  list: string[],
  dest: string,
  part: string,
  metaPath: string,
  opts: DownloadFileOptions,
): Promise<void> {
  const fs = await import('node:fs/promises');
  const { fsyncDir } = await import('./node-files.js');
  const path = await import('node:path');
  let lastNotFound: DownloadError | undefined;
  for (const url of list) {
    try {
      await fetchToPart(url, part, metaPath, opts);
    } catch (err) {
      if (err instanceof DownloadError && /HTTP 404|HTTP 410/.test(err.message)) {
        lastNotFound = err;
        continue;
      }
      throw err;
    }
    const st = await fs.stat(part);
    if (opts.size !== undefined && st.size !== opts.size) {
      await fs.rm(part, { force: true });
      await fs.rm(metaPath, { force: true });
      throw new DownloadError(
        `${url}: got ${st.size} bytes, expected ${opts.size}; the partial file was removed`,
      );
    }
    if (opts.sha256) {
      const actual = await sha256File(part);
      if (actual !== opts.sha256.toLowerCase()) {
        await fs.rm(part, { force: true });
        await fs.rm(metaPath, { force: true });
        throw new DownloadError(
          `${url}: sha256 ${actual} does not match the expected ${opts.sha256}; the file was not placed in the cache`,
        );
      }
    }
    await fs.rename(part, dest);
    await fs.rm(metaPath, { force: true });
    await fsyncDir(path.dirname(dest));
    return;
  }
  throw lastNotFound ?? new DownloadError(`no URL given for ${dest}`);
}

/** sha256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { createReadStream } = await import('node:fs');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fetchToPart(
  url: string,
  part: string,
  metaPath: string,
  opts: DownloadFileOptions,
): Promise<void> {
  const fs = await import('node:fs/promises');
  const doFetch = opts.fetch ?? globalThis.fetch;
  const retries = opts.retries ?? 4;
  const baseDelay = opts.retryDelayMs ?? 500;
  let failures = 0;
  let meta: PartMeta = await fs.readFile(metaPath, 'utf8').then(
    (t) => JSON.parse(t) as PartMeta,
    () => ({ url }),
  );
  if (meta.url !== url) meta = { url };
  for (let attempt = 0; ; attempt++) {
    let have = await fs.stat(part).then(
      (s) => s.size,
      () => 0,
    );
    const limit = opts.size ?? meta.total;
    if (limit !== undefined && have > limit) {
      await fs.rm(part, { force: true }); // a leftover larger than the file: start again
      have = 0;
    }
    if (limit !== undefined && have === limit && have > 0) return;
    const before = have;
    try {
      await oneRequest();
      return;
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      const now = await fs.stat(part).then(
        (s) => s.size,
        () => 0,
      );
      failures = now > before ? 1 : failures + 1; // progress resets the count
      if (failures > retries || attempt > 1000)
        throw new DownloadError(`${url}: ${err.message} (gave up after ${failures} failed attempts)`);
      await new Promise((r) => setTimeout(r, baseDelay * 2 ** Math.min(failures - 1, 6)));
    }

    async function oneRequest(): Promise<void> {
      const headers: Record<string, string> = {};
      if (have > 0) {
        headers.Range = `bytes=${have}-`;
        if (meta.etag) headers['If-Range'] = meta.etag;
      }
      let res: Response;
      try {
        res = await doFetch(url, { headers, signal: opts.signal, redirect: 'follow' });
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        throw new RetryableError(`connection failed: ${(err as Error).message}`);
      }
      if (res.status === 416 && have > 0) {
        await res.body?.cancel();
        await fs.rm(part, { force: true }); // our partial file does not fit the remote one
        throw new RetryableError('HTTP 416 on resume');
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw new DownloadError(`${url}: HTTP ${res.status} (not found)`);
      }
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        await res.body?.cancel();
        throw new RetryableError(`HTTP ${res.status}`);
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel();
        throw new DownloadError(`${url}: HTTP ${res.status}`);
      }
      let start = 0;
      let total: number | undefined;
      if (res.status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== have) {
          // A range we did not ask for: restart from 0 rather than splice bytes in the wrong place.
          await res.body?.cancel();
          await fs.rm(part, { force: true });
          throw new RetryableError(`unexpected Content-Range "${res.headers.get('content-range')}"`);
        }
        start = have;
        total = m[3] === '*' ? undefined : Number(m[3]);
      } else {
        const len = res.headers.get('content-length');
        total = len !== null && /^\d+$/.test(len) ? Number(len) : undefined;
      }
      if (opts.size !== undefined && total !== undefined && total !== opts.size) {
        await res.body?.cancel();
        throw new DownloadError(`${url}: server reports ${total} bytes, expected ${opts.size}`);
      }
      meta = { url, etag: res.headers.get('etag') ?? undefined, total };
      await fs.writeFile(metaPath, JSON.stringify(meta));
      // 200 after a Range request means the server ignored it: truncate and take the whole body.
      const fh = await fs.open(part, start === 0 ? 'w' : 'a');
      let received = start;
      try {
        if (!res.body) throw new RetryableError('empty response body');
        opts.onProgress?.(received, total);
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            await fh.write(chunk);
            received += chunk.length;
            opts.onProgress?.(received, total);
          }
        } catch (err) {
          if (opts.signal?.aborted) throw err;
          throw new RetryableError(`connection dropped at byte ${received}: ${(err as Error).message}`);
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (total !== undefined && received !== total)
        throw new RetryableError(`connection closed at byte ${received} of ${total}`);
    }
  }
}
