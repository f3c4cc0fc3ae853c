// Getting model files into the worker: from this site (the bundled model), from files the user
// picked, or from the Hugging Face Hub with download progress and a Cache API cache (so a model is
// downloaded once and then works offline).
import { HubDownloadError, ModelFileError } from './errors.js';
import type { ModelSource } from './protocol.js';

/** Download progress of one file. */
export interface Progress {
  what: string;
  loaded: number;
  total?: number;
  cached?: boolean;
}

/** The two files a model needs. */
export interface ModelFiles {
  configText: string;
  configName: string;
  weights: Uint8Array;
  weightsName: string;
}

const HUB = 'https://huggingface.co';
const CACHE_NAME = 'llmfs-hub-v1';

async function readWithProgress(
  res: Response,
  what: string,
  onProgress: (p: Progress) => void,
): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (loaded - last > 1 << 20 || loaded === total) {
      last = loaded;
      onProgress({ what, loaded, total });
    }
  }
  const out = new Uint8Array(loaded);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  onProgress({ what, loaded, total: total ?? loaded });
  return out;
}

async function fetchSite(url: string, what: string, onProgress: (p: Progress) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new ModelFileError(`${what}: HTTP ${res.status} from ${url}`);
  return readWithProgress(res, what, onProgress);
}

/** Fetches a Hub file through the Cache API (stored after the first download). */
async function fetchHub(url: string, what: string, onProgress: (p: Progress) => void): Promise<Uint8Array> {
  const cache =
    typeof caches !== 'undefined' ? await caches.open(CACHE_NAME).catch(() => undefined) : undefined;
  const hit = await cache?.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    onProgress({ what, loaded: bytes.byteLength, total: bytes.byteLength, cached: true });
    return bytes;
  }
  let res: Response;
  try {
    res = await fetch(url, { mode: 'cors', credentials: 'omit' });
  } catch (e) {
    throw new HubDownloadError(
      `${what}: cannot reach the Hugging Face Hub (offline?): ${(e as Error).message}`,
    );
  }
  if (!res.ok) throw new HubDownloadError(`${what}: HTTP ${res.status} from ${url}`);
  const bytes = await readWithProgress(res, what, onProgress);
  await cache
    ?.put(url, new Response(bytes as BlobPart, { headers: { 'content-type': 'application/octet-stream' } }))
    .catch(() => undefined);
  return bytes;
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** Reads config.json and the .safetensors file of `source`. */
export async function fetchModelFiles(
  source: ModelSource,
  base: string,
  onProgress: (p: Progress) => void,
): Promise<ModelFiles> {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  switch (source.kind) {
    case 'url': {
      const dir = new URL(source.base, base).href;
      const config = await fetchSite(new URL('config.json', dir).href, 'config.json', onProgress);
      const weights = await fetchSite(
        new URL('model.safetensors', dir).href,
        'model.safetensors',
        onProgress,
      );
      return {
        configText: text(config),
        configName: 'config.json',
        weights,
        weightsName: 'model.safetensors',
      };
    }
    case 'files': {
      const config = source.files.find((f) => f.name === 'config.json' || f.name.endsWith('/config.json'));
      // A checkpoint folder also holds training_state.safetensors: prefer model.safetensors.
      const all = source.files.filter((f) => f.name.endsWith('.safetensors'));
      const model = all.filter(
        (f) => f.name === 'model.safetensors' || f.name.endsWith('/model.safetensors'),
      );
      const st = model.length ? model : all;
      if (!config)
        throw new ModelFileError(
          `no config.json among the picked files (${source.files.map((f) => f.name).join(', ')})`,
        );
      if (st.length !== 1) {
        throw new ModelFileError(
          `pick exactly one .safetensors file with config.json (got ${st.length}: ${st.map((f) => f.name).join(', ')})`,
        );
      }
      return {
        configText: text(new Uint8Array(config.bytes)),
        configName: config.name,
        weights: new Uint8Array(st[0].bytes),
        weightsName: st[0].name,
      };
    }
    case 'hf': {
      const id = source.id.trim();
      if (!HUB_ID.test(id)) throw new HubDownloadError(`not a Hugging Face model id: ${JSON.stringify(id)}`);
      const rev = encodeURIComponent(source.revision ?? 'main');
      const path = id.split('/').map(encodeURIComponent).join('/');
      const config = await fetchHub(
        `${HUB}/${path}/resolve/${rev}/config.json`,
        `${id}/config.json`,
        onProgress,
      );
      const weights = await fetchHub(
        `${HUB}/${path}/resolve/${rev}/model.safetensors`,
        `${id}/model.safetensors`,
        onProgress,
      );
      return {
        configText: text(config),
        configName: `${id}/config.json`,
        weights,
        weightsName: `${id}/model.safetensors`,
      };
    }
  }
}
