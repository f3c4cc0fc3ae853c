// Opens a model directory on disk (Node) as a stream of llmfs-named float32 tensors: a Hugging Face
// GPT-2 directory (config.json + model.safetensors) or OpenAI's release folder (hparams.json +
// model.ckpt.*), with model.safetensors whole or in shards (model.safetensors.index.json). Names and
// shapes are all checked from the headers before any tensor data is read; values must be finite.
import type { GPTConfig } from '@llmfs/gpt-model';
import { CheckpointError, SafetensorsError, WeightMappingError } from './errors.js';
import { configFromHf, configFromHparams } from './model-config.js';
import { assertFiniteWeights } from './finite-weights.js';
import { SAFETENSORS_INDEX_FILE, type TensorReader } from './sharded-safetensors.js';
import { sniffForeignFormat } from './safetensors-header.js';
import type { TfCheckpointReader } from './tf-bundle.js';
import {
  canonicalHfName,
  gpt2Mapping,
  sourceShape,
  isIgnoredHfName,
  toLlmfs,
  type MappingEntry,
  type NamedTensor,
} from './weight-mapping.js';

/** An opened model directory: its config and a reader of each llmfs parameter. */
export interface WeightSource {
  format: 'hf' | 'openai';
  dir: string;
  cfg: GPTConfig;
  /** The raw config.json / hparams.json object. */
  config: Record<string, any>;
  /** True when the file has no separate head (head = wte transposed). */
  tied: boolean;
  mapping: MappingEntry[];
  /** Reads one llmfs parameter (converted and shape-checked). */
  read(entry: MappingEntry): Promise<NamedTensor>;
  close(): Promise<void>;
}

async function readJson(file: string, ErrorClass: typeof WeightMappingError): Promise<Record<string, any>> {
  const fs = await import('node:fs/promises');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ErrorClass(`${file}: cannot read the file`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ErrorClass(`${file}: not valid JSON`);
  }
}

async function exists(p: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Which layout `dir` holds: 'hf', 'openai', or a typed error explaining what is missing. */
export async function detectModelFormat(dir: string): Promise<'hf' | 'openai'> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    throw new WeightMappingError(`${dir}: no such model directory`);
  }
  if (!st.isDirectory()) {
    const fh = await fs.open(dir, 'r');
    const head = new Uint8Array(8);
    await fh.read(head, 0, 8, 0);
    await fh.close();
    sniffForeignFormat(head, dir);
    throw new WeightMappingError(
      `${dir}: expected a model directory (config.json + model.safetensors) or an OpenAI GPT-2 folder`,
    );
  }
  if (await exists(path.join(dir, 'model.safetensors'))) return 'hf';
  if (await exists(path.join(dir, SAFETENSORS_INDEX_FILE))) return 'hf';
  if (await exists(path.join(dir, 'hparams.json'))) return 'openai';
  for (const pickle of ['pytorch_model.bin', 'model.bin', 'model.pt', 'model.pth']) {
    if (await exists(path.join(dir, pickle)))
      throw new SafetensorsError(
        `${path.join(dir, pickle)}: PyTorch pickle files are not supported; use safetensors`,
      );
  }
  throw new WeightMappingError(
    `${dir}: no model.safetensors or ${SAFETENSORS_INDEX_FILE} (Hugging Face layout) or hparams.json + model.ckpt.index (OpenAI layout)`,
  );
}

/** Opens `dir` and checks every tensor's presence and shape against its config. */
export async function openWeightSource(dir: string): Promise<WeightSource> {
  const path = await import('node:path');
  const format = await detectModelFormat(dir);
  if (format === 'hf') {
    const config = await readJson(path.join(dir, 'config.json'), WeightMappingError);
    const cfg = configFromHf(config, path.join(dir, 'config.json'));
    const single = path.join(dir, 'model.safetensors');
    const reader: TensorReader = (await exists(single))
      ? await (await import('./safetensors-file.js')).openSafetensorsFile(single)
      : await (await import('./sharded-safetensors.js')).openShardedSafetensors(dir);
    try {
      return hfSource(dir, config, cfg, reader);
    } catch (err) {
      await reader.close();
      throw err;
    }
  }
  const config = await readJson(path.join(dir, 'hparams.json'), CheckpointError);
  const cfg = configFromHparams(config, path.join(dir, 'hparams.json'));
  const { openTfCheckpoint } = await import('./tf-checkpoint-file.js');
  const reader = await openTfCheckpoint(path.join(dir, await checkpointPrefix(dir)));
  try {
    return openaiSource(dir, config, cfg, reader);
  } catch (err) {
    await reader.close();
    throw err;
  }
}

// The `checkpoint` file names the prefix (model_checkpoint_path: "model.ckpt"); default model.ckpt.
async function checkpointPrefix(dir: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const text = await fs.readFile(path.join(dir, 'checkpoint'), 'utf8').catch(() => '');
  const m = /model_checkpoint_path:\s*"([^"]+)"/.exec(text);
  const name = m ? path.basename(m[1]) : 'model.ckpt';
  return name;
}

/** A WeightSource over an opened safetensors reader and its parsed config.json (browser-safe). */
export function hfSource(
  dir: string,
  config: Record<string, any>,
  cfg: GPTConfig,
  reader: TensorReader,
): WeightSource {
  const file = reader.source.name;
  const byCanon = new Map<string, string>();
  for (const n of reader.names()) {
    const c = canonicalHfName(n);
    if (byCanon.has(c))
      throw new WeightMappingError(
        `${file}: tensor "${n}" appears with and without the "transformer." prefix`,
      );
    byCanon.set(c, n);
  }
  const tied = !byCanon.has('lm_head.weight');
  const mapping = gpt2Mapping(cfg);
  const sources = new Map<string, { name: string; transform: MappingEntry['hfTransform'] }>();
  const used = new Set<string>();
  for (const e of mapping) {
    const canon = e.llmfs === 'out_head.weight' && !tied ? 'lm_head.weight' : e.hf;
    const name = byCanon.get(canon);
    if (!name) throw new WeightMappingError(`${file}: missing tensor "${canon}" (for ${e.llmfs})`);
    const where = reader.fileOf?.(name) ?? file;
    const info = reader.entry(name)!;
    const expected =
      e.hfTransform === 'transpose' || canon === 'lm_head.weight' ? [e.shape[1], e.shape[0]] : sourceShape(e);
    if (info.shape.length !== expected.length || info.shape.some((d, i) => d !== expected[i])) {
      throw new WeightMappingError(
        `${where}: tensor "${name}" has shape ${JSON.stringify(info.shape)}, expected ${JSON.stringify(expected)}`,
      );
    }
    sources.set(e.llmfs, { name, transform: canon === 'lm_head.weight' ? 'transpose' : e.hfTransform });
    used.add(canon);
  }
  for (const [canon, name] of byCanon) {
    if (used.has(canon) || isIgnoredHfName(canon)) continue;
    if (!cfg.qkvBias && /^h\.\d+\.attn\.c_attn\.bias$/.test(canon)) continue;
    throw new WeightMappingError(`${file}: unexpected tensor "${name}" for a ${cfg.nLayers}-layer GPT-2`);
  }
  const readOnce = lastTensorCache();
  return {
    format: 'hf',
    dir,
    cfg,
    config,
    tied,
    mapping,
    async read(e) {
      const s = sources.get(e.llmfs)!;
      const t = await readOnce(s.name, async () => {
        const r = await reader.tensor(s.name);
        assertFiniteWeights(r.data, reader.fileOf?.(s.name) ?? file, s.name);
        return r;
      });
      return toLlmfs(e, t, s.name, s.transform);
    },
    close: () => reader.close(),
  };
}

/**
 * A reader that keeps the last tensor read: W_query, W_key and W_value are read one after the other from
 * the same c_attn tensor, which is then read from disk once.
 */
function lastTensorCache(): <T>(name: string, read: () => Promise<T>) => Promise<T> {
  let last: { name: string; value: Promise<unknown> } | undefined;
  return <T>(name: string, read: () => Promise<T>): Promise<T> => {
    if (last?.name !== name) last = { name, value: read() };
    return last.value as Promise<T>;
  };
}

function openaiSource(
  dir: string,
  config: Record<string, any>,
  cfg: GPTConfig,
  reader: TfCheckpointReader,
): WeightSource {
  const mapping = gpt2Mapping(cfg);
  const needed = new Set(mapping.map((e) => e.openai));
  for (const e of mapping) {
    const entry = reader.entry(e.openai);
    if (!entry) throw new WeightMappingError(`${dir}: missing tensor "${e.openai}" (for ${e.llmfs})`);
    if (entry.dtype !== 'float32' && entry.dtype !== 'float16' && entry.dtype !== 'bfloat16') {
      throw new WeightMappingError(`${dir}: tensor "${e.openai}" has dtype ${entry.dtype}, expected float32`);
    }
    const expected =
      e.openaiTransform === 'squeeze0'
        ? [1, ...sourceShape(e)]
        : e.openaiTransform === 'transpose'
          ? [e.shape[1], e.shape[0]]
          : sourceShape(e);
    if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
      throw new WeightMappingError(
        `${dir}: tensor "${e.openai}" has shape ${JSON.stringify(entry.shape)}, expected ${JSON.stringify(expected)}`,
      );
    }
  }
  for (const name of reader.names()) {
    if (needed.has(name) || reader.entry(name)!.dtype === 'string') continue;
    if (/^model\/h\d+\/attn\/c_attn\/b$/.test(name) && !cfg.qkvBias) continue;
    throw new WeightMappingError(`${dir}: unexpected tensor "${name}" for a ${cfg.nLayers}-layer GPT-2`);
  }
  const readOnce = lastTensorCache();
  return {
    format: 'openai',
    dir,
    cfg,
    config,
    tied: true,
    mapping,
    async read(e) {
      const t = await readOnce(e.openai, async () => {
        const r = await reader.tensor(e.openai);
        assertFiniteWeights(r.data as Float32Array, dir, e.openai);
        return { shape: r.shape, data: r.data as Float32Array };
      });
      return toLlmfs(e, t, e.openai, e.openaiTransform);
    },
    close: () => reader.close(),
  };
}
