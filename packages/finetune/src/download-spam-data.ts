// Chapter 6.2: download the SMS Spam Collection zip (UCI, then the book's backup) into the llmfs cache,
// through @llmfs/gpt2-weights' resumable, retrying downloadFile.
import { DownloadError, defaultCacheDir, downloadFile } from '@llmfs/gpt2-weights';

/** The book's URL and its backup. */
export const SPAM_URLS = [
  'https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip',
  'https://f001.backblazeb2.com/file/LLMs-from-scratch/sms%2Bspam%2Bcollection.zip',
];

/** Options of downloadSpamData. */
export interface DownloadSpamOptions {
  /** Cache root (default: the llmfs cache, env LLMFS_CACHE). */
  cacheDir?: string;
  /** URLs tried in order (default SPAM_URLS). */
  urls?: string[];
  /** Never touch the network: a DownloadError unless the zip is cached (default: env LLMFS_OFFLINE). */
  offline?: boolean;
  onProgress?: (received: number, total: number | undefined) => void;
  fetch?: typeof fetch;
  retries?: number;
  retryDelayMs?: number;
}

/** Path of the cached zip, downloading it first when absent (Node only). */
export async function downloadSpamData(opts: DownloadSpamOptions = {}): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = path.join(opts.cacheDir ?? (await defaultCacheDir()), 'datasets', 'sms-spam-collection');
  const dest = path.join(dir, 'sms+spam+collection.zip');
  if (
    await fs.stat(dest).then(
      () => true,
      () => false,
    )
  )
    return dest;
  const envOffline = ['1', 'true', 'yes'].includes((process.env.LLMFS_OFFLINE ?? '').toLowerCase());
  if (opts.offline ?? envOffline)
    throw new DownloadError(`the SMS Spam Collection is not in the cache at ${dest} and offline mode is on`);
  await fs.mkdir(dir, { recursive: true });
  await downloadFile(opts.urls ?? SPAM_URLS, dest, {
    onProgress: opts.onProgress,
    fetch: opts.fetch,
    retries: opts.retries,
    retryDelayMs: opts.retryDelayMs,
  });
  return dest;
}
