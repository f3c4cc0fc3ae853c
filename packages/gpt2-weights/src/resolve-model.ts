// The GPT-2 model cache (Node): `resolveModel('gpt2')` -> a local directory, downloading it first unless
// offline. Sources: the Hugging Face Hub's resolve URLs for openai-community/<name> (format "hf") or
// OpenAI's release URLs with the book's backup location (format "openai"), as ch05's gpt_download.py uses.
import { DownloadError } from './errors.js';
import { downloadFile, type DownloadFileOptions } from './download-file.js';

/** A downloadable GPT-2 size. */
export interface Gpt2Release {
  name: 'gpt2' | 'gpt2-medium' | 'gpt2-large' | 'gpt2-xl';
  /** OpenAI's folder name. */
  openaiSize: '124M' | '355M' | '774M' | '1558M';
  hfRepo: string;
  /** Known size and sha256 of model.safetensors (the published files), when recorded. */
  safetensors?: { size: number; sha256: string };
}

/** The four GPT-2 releases. */
export const GPT2_RELEASES: Record<Gpt2Release['name'], Gpt2Release> = {
  gpt2: {
    name: 'gpt2',
    openaiSize: '124M',
    hfRepo: 'openai-community/gpt2',
    safetensors: {
      size: 548_105_171,
      sha256: '248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707',
    },
  },
  'gpt2-medium': { name: 'gpt2-medium', openaiSize: '355M', hfRepo: 'openai-community/gpt2-medium' },
  'gpt2-large': { name: 'gpt2-large', openaiSize: '774M', hfRepo: 'openai-community/gpt2-large' },
  'gpt2-xl': { name: 'gpt2-xl', openaiSize: '1558M', hfRepo: 'openai-community/gpt2-xl' },
};

const ALIASES: Record<string, Gpt2Release['name']> = {
  gpt2: 'gpt2',
  'gpt2-small': 'gpt2',
  '124m': 'gpt2',
  'gpt2-124m': 'gpt2',
  'gpt2-medium': 'gpt2-medium',
  '355m': 'gpt2-medium',
  'gpt2-355m': 'gpt2-medium',
  'gpt2-large': 'gpt2-large',
  '774m': 'gpt2-large',
  'gpt2-774m': 'gpt2-large',
  'gpt2-xl': 'gpt2-xl',
  '1558m': 'gpt2-xl',
  'gpt2-1558m': 'gpt2-xl',
};

/** The release for a name or alias ('gpt2', 'gpt2-small', '124M', ...), or undefined. */
export function findRelease(name: string): Gpt2Release | undefined {
  const n = ALIASES[name.toLowerCase()];
  return n ? GPT2_RELEASES[n] : undefined;
}

/** OpenAI's release file names (gpt_download.py). */
export const OPENAI_FILES = [
  'checkpoint',
  'encoder.json',
  'hparams.json',
  'model.ckpt.data-00000-of-00001',
  'model.ckpt.index',
  'model.ckpt.meta',
  'vocab.bpe',
] as const;
/** Files fetched from the Hub for format "hf". */
export const HF_FILES = ['config.json', 'model.safetensors'] as const;

/** OpenAI's URL and the book's backup (gpt_download.py). */
export const OPENAI_BASE_URLS = [
  'https://openaipublic.blob.core.windows.net/gpt-2/models',
  'https://f001.backblazeb2.com/file/LLMs-from-scratch/gpt2',
];
/** The Hub (override with HF_ENDPOINT, as huggingface_hub does). */
export const HF_ENDPOINT = 'https://huggingface.co';

/** Options of resolveModel / downloadModel. */
export interface ResolveModelOptions extends Pick<
  DownloadFileOptions,
  'retries' | 'retryDelayMs' | 'fetch' | 'signal'
> {
  /** Cache root (default: env LLMFS_CACHE, else the user's cache dir + /llmfs). */
  cacheDir?: string;
  /** Never touch the network (default: env LLMFS_OFFLINE or HF_HUB_OFFLINE = 1). */
  offline?: boolean;
  format?: 'hf' | 'openai';
  /** Hub endpoint (default env HF_ENDPOINT or the Hub). */
  hfEndpoint?: string;
  /** OpenAI release base URLs, tried in order. */
  openaiBaseUrls?: string[];
  /** Progress per file: (file name, bytes, total). */
  onProgress?: (file: string, received: number, total: number | undefined) => void;
}

/** The cache root: LLMFS_CACHE, else $XDG_CACHE_HOME/llmfs, ~/.cache/llmfs, ~/Library/Caches/llmfs, %LOCALAPPDATA%/llmfs. */
export async function defaultCacheDir(): Promise<string> {
  const os = await import('node:os');
  const path = await import('node:path');
  if (process.env.LLMFS_CACHE) return path.resolve(process.env.LLMFS_CACHE);
  if (process.platform === 'win32')
    return path.join(
      process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'),
      'llmfs',
      'Cache',
    );
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'llmfs');
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'llmfs');
}

function envOffline(): boolean {
  return ['1', 'true', 'yes'].includes(
    (process.env.LLMFS_OFFLINE ?? process.env.HF_HUB_OFFLINE ?? '').toLowerCase(),
  );
}

/** The files, URLs and checks of one release in one format. */
export function releaseFiles(
  rel: Gpt2Release,
  format: 'hf' | 'openai',
  opts: Pick<ResolveModelOptions, 'hfEndpoint' | 'openaiBaseUrls'> = {},
) {
  if (format === 'hf') {
    const ep = (opts.hfEndpoint ?? process.env.HF_ENDPOINT ?? HF_ENDPOINT).replace(/\/+$/, '');
    return HF_FILES.map((f) => ({
      file: f as string,
      urls: [`${ep}/${rel.hfRepo}/resolve/main/${f}`],
      size: f === 'model.safetensors' ? rel.safetensors?.size : undefined,
      sha256: f === 'model.safetensors' ? rel.safetensors?.sha256 : undefined,
    }));
  }
  const bases = (opts.openaiBaseUrls ?? OPENAI_BASE_URLS).map((b) => b.replace(/\/+$/, ''));
  return OPENAI_FILES.map((f) => ({
    file: f as string,
    urls: bases.map((b) => `${b}/${rel.openaiSize}/${f}`),
    size: undefined,
    sha256: undefined,
  }));
}

/** The cache folder of a release in a format (it may not exist yet). */
export async function cachedModelDir(
  name: string,
  opts: Pick<ResolveModelOptions, 'cacheDir' | 'format'> = {},
): Promise<string> {
  const path = await import('node:path');
  const rel = findRelease(name);
  if (!rel)
    throw new DownloadError(`unknown model "${name}" (known: ${Object.keys(GPT2_RELEASES).join(', ')})`);
  return path.join(opts.cacheDir ?? (await defaultCacheDir()), 'models', rel.name, opts.format ?? 'hf');
}

/** Downloads a release into the cache (files already there are kept) and returns its folder. */
export async function downloadModel(name: string, opts: ResolveModelOptions = {}): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const rel = findRelease(name);
  if (!rel)
    throw new DownloadError(`unknown model "${name}" (known: ${Object.keys(GPT2_RELEASES).join(', ')})`);
  const format = opts.format ?? 'hf';
  const dir = await cachedModelDir(name, { ...opts, format });
  const files = releaseFiles(rel, format, opts);
  const missing = [];
  for (const f of files)
    if (
      !(await fs.stat(path.join(dir, f.file)).then(
        () => true,
        () => false,
      ))
    )
      missing.push(f);
  if (missing.length === 0) return dir;
  if (opts.offline ?? envOffline()) {
    throw new DownloadError(
      `${rel.name} (${format}) is not in the cache at ${dir} and offline mode is on; run \`llmfs download ${rel.name}\` with a connection`,
    );
  }
  for (const f of missing) {
    await downloadFile(f.urls, path.join(dir, f.file), {
      size: f.size,
      sha256: f.sha256,
      retries: opts.retries,
      retryDelayMs: opts.retryDelayMs,
      fetch: opts.fetch,
      signal: opts.signal,
      onProgress: opts.onProgress && ((r, t) => opts.onProgress!(f.file, r, t)),
    });
  }
  return dir;
}

/** A model directory for `nameOrDir`: an existing path as is, or a GPT-2 name through the cache. */
export async function resolveModel(nameOrDir: string, opts: ResolveModelOptions = {}): Promise<string> {
  const fs = await import('node:fs/promises');
  if (
    await fs.stat(nameOrDir).then(
      () => true,
      () => false,
    )
  )
    return nameOrDir;
  if (!findRelease(nameOrDir)) {
    throw new DownloadError(
      `${nameOrDir}: no such directory, and not a GPT-2 name (${Object.keys(GPT2_RELEASES).join(', ')})`,
    );
  }
  return downloadModel(nameOrDir, opts);
}
