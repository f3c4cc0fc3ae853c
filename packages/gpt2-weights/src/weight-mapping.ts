// The one mapping file: GPT-2 tensor names and layouts in Hugging Face safetensors and in OpenAI's
// TensorFlow release, against llmfs's state-dict names (the book's `load_weights_into_gpt`, ch05).
// Every assignment checks the shape. Differences handled here:
//   - OpenAI conv weights carry a leading 1: c_attn/w [1, C, 3C] -> [C, 3C]; HF Conv1D weights are
//     already [in, out], as llmfs Linear.
//   - c_attn holds the book's three projections side by side (columns q | k | v): each of att.W_query,
//     att.W_key, att.W_value is one third of its last axis (the book's np.split(..., 3, axis=-1)); saving
//     concatenates them again, so the files keep GPT-2's layout.
//   - The output head: llmfs stores out_head.weight as [C, V]; HF lm_head.weight is [V, C]; with no
//     lm_head (tied, as in OpenAI's release and most Hub files) the head is wte transposed.
//   - HF files name tensors with or without the "transformer." prefix; attn.bias / attn.masked_bias are
//     causal-mask buffers, not weights, and are ignored.
import { WeightMappingError } from './errors.js';

/** The model shape a mapping needs (a subset of @llmfs/gpt-model's GPTConfig). */
export interface MappingConfig {
  vocabSize: number;
  contextLength: number;
  embDim: number;
  nLayers: number;
  qkvBias: boolean;
}

/** A float32 tensor on its way between a file and the model. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** One llmfs parameter and where it comes from. */
export interface MappingEntry {
  llmfs: string;
  /** llmfs shape. */
  shape: number[];
  /** HF name without the "transformer." prefix (lm_head.weight has none). */
  hf: string;
  /** OpenAI variable name. */
  openai: string;
  /** How the HF tensor becomes the llmfs one. */
  hfTransform: 'none' | 'transpose';
  /** How the OpenAI tensor becomes the llmfs one. */
  openaiTransform: 'none' | 'squeeze0' | 'transpose';
  /** Set for W_query (0), W_key (1), W_value (2): this third of the source's last axis (c_attn). */
  part?: number;
}

/** The book's projections, in c_attn's column order. */
export const QKV_NAMES = ['W_query', 'W_key', 'W_value'] as const;

/** The llmfs-oriented shape of the whole source tensor (c_attn is three parts wide). */
export function sourceShape(e: MappingEntry): number[] {
  if (e.part === undefined) return e.shape;
  return [...e.shape.slice(0, -1), QKV_NAMES.length * e.shape[e.shape.length - 1]];
}

/** Block `part` of `parts` equal blocks along the last axis of a row-major tensor of `shape`. */
export function sliceLastAxis(
  data: Float32Array,
  shape: number[],
  part: number,
  parts: number,
): Float32Array {
  const cols = shape[shape.length - 1];
  const w = cols / parts;
  const rows = data.length / cols;
  const out = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++)
    out.set(data.subarray(r * cols + part * w, r * cols + (part + 1) * w), r * w);
  return out;
}

/** Equal-shaped row-major tensors side by side along the last axis (the inverse of sliceLastAxis). */
export function concatLastAxis(blocks: Float32Array[], shape: number[]): Float32Array {
  const w = shape[shape.length - 1];
  const rows = blocks[0].length / w;
  const cols = w * blocks.length;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    blocks.forEach((b, i) => out.set(b.subarray(r * w, (r + 1) * w), r * cols + i * w));
  return out;
}

/** One tensor of a GPT-2 file with the llmfs entries it holds (three for c_attn, else one). */
export interface FileTensor {
  hf: string;
  openai: string;
  /** llmfs-oriented shape of the whole tensor. */
  shape: number[];
  openaiTransform: MappingEntry['openaiTransform'];
  entries: MappingEntry[];
}

/** The mapping grouped by file tensor (c_attn's q | k | v parts together, in order). */
export function gpt2FileTensors(cfg: MappingConfig): FileTensor[] {
  const out: FileTensor[] = [];
  for (const e of gpt2Mapping(cfg)) {
    const last = out[out.length - 1];
    if (e.part !== undefined && e.part > 0 && last?.hf === e.hf) last.entries.push(e);
    else
      out.push({
        hf: e.hf,
        openai: e.openai,
        shape: sourceShape(e),
        openaiTransform: e.openaiTransform,
        entries: [e],
      });
  }
  return out;
}

/** The file tensor's data from its llmfs parts (c_attn: W_query | W_key | W_value side by side). */
export function joinParts(f: FileTensor, parts: Float32Array[]): Float32Array {
  return parts.length === 1 ? parts[0] : concatLastAxis(parts, f.entries[0].shape);
}

/** The llmfs parts of a file tensor's data, one per entry (the inverse of joinParts). */
export function splitParts(f: FileTensor, data: Float32Array): Float32Array[] {
  const n = f.entries.length;
  return n === 1 ? [data] : f.entries.map((_, i) => sliceLastAxis(data, f.shape, i, n));
}

/** The llmfs parameters of a GPT-2-shaped model, each with its HF and OpenAI source. Head: tied source. */
export function gpt2Mapping(cfg: MappingConfig): MappingEntry[] {
  const C = cfg.embDim;
  const V = cfg.vocabSize;
  const m: MappingEntry[] = [];
  const add = (
    llmfs: string,
    shape: number[],
    hf: string,
    openai: string,
    hfT: MappingEntry['hfTransform'] = 'none',
    oaT: MappingEntry['openaiTransform'] = 'none',
  ) => m.push({ llmfs, shape, hf, openai, hfTransform: hfT, openaiTransform: oaT });
  add('tok_emb.weight', [V, C], 'wte.weight', 'model/wte');
  add('pos_emb.weight', [cfg.contextLength, C], 'wpe.weight', 'model/wpe');
  for (let i = 0; i < cfg.nLayers; i++) {
    const b = `trf_blocks.${i}`;
    const h = `h.${i}`;
    const o = `model/h${i}`;
    add(`${b}.norm1.scale`, [C], `${h}.ln_1.weight`, `${o}/ln_1/g`);
    add(`${b}.norm1.shift`, [C], `${h}.ln_1.bias`, `${o}/ln_1/b`);
    QKV_NAMES.forEach((n, part) => {
      add(
        `${b}.att.${n}.weight`,
        [C, C],
        `${h}.attn.c_attn.weight`,
        `${o}/attn/c_attn/w`,
        'none',
        'squeeze0',
      );
      m[m.length - 1].part = part;
    });
    if (cfg.qkvBias)
      QKV_NAMES.forEach((n, part) => {
        add(`${b}.att.${n}.bias`, [C], `${h}.attn.c_attn.bias`, `${o}/attn/c_attn/b`);
        m[m.length - 1].part = part;
      });
    add(
      `${b}.att.out_proj.weight`,
      [C, C],
      `${h}.attn.c_proj.weight`,
      `${o}/attn/c_proj/w`,
      'none',
      'squeeze0',
    );
    add(`${b}.att.out_proj.bias`, [C], `${h}.attn.c_proj.bias`, `${o}/attn/c_proj/b`);
    add(`${b}.norm2.scale`, [C], `${h}.ln_2.weight`, `${o}/ln_2/g`);
    add(`${b}.norm2.shift`, [C], `${h}.ln_2.bias`, `${o}/ln_2/b`);
    add(`${b}.ff.layers.0.weight`, [C, 4 * C], `${h}.mlp.c_fc.weight`, `${o}/mlp/c_fc/w`, 'none', 'squeeze0');
    add(`${b}.ff.layers.0.bias`, [4 * C], `${h}.mlp.c_fc.bias`, `${o}/mlp/c_fc/b`);
    add(
      `${b}.ff.layers.2.weight`,
      [4 * C, C],
      `${h}.mlp.c_proj.weight`,
      `${o}/mlp/c_proj/w`,
      'none',
      'squeeze0',
    );
    add(`${b}.ff.layers.2.bias`, [C], `${h}.mlp.c_proj.bias`, `${o}/mlp/c_proj/b`);
  }
  add('final_norm.scale', [C], 'ln_f.weight', 'model/ln_f/g');
  add('final_norm.shift', [C], 'ln_f.bias', 'model/ln_f/b');
  // Tied by default: the head comes from wte, transposed. An untied HF file's lm_head.weight overrides.
  add('out_head.weight', [C, V], 'wte.weight', 'model/wte', 'transpose', 'transpose');
  return m;
}

/** HF names that are buffers, not weights. */
export function isIgnoredHfName(name: string): boolean {
  return /(^|\.)h\.\d+\.attn\.(bias|masked_bias)$/.test(name);
}

/** Strips the optional "transformer." prefix of HF GPT-2 names. */
export function canonicalHfName(name: string): string {
  return name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
}

/** [rows, cols] -> [cols, rows] for a row-major float32 matrix (blocked for cache locality). */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c];
    }
  }
  return out;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Applies a transform to a source tensor and checks the result has the llmfs shape (error names both tensors). */
export function toLlmfs(
  entry: MappingEntry,
  source: NamedTensor,
  sourceName: string,
  transform: 'none' | 'squeeze0' | 'transpose',
): NamedTensor {
  let shape = source.shape;
  let data = source.data;
  const whole = sourceShape(entry);
  const misfit = (): never => {
    throw new WeightMappingError(
      `tensor "${sourceName}" has shape ${JSON.stringify(source.shape)}; ${entry.llmfs} needs ${JSON.stringify(whole)}${transform === 'none' ? '' : ` after ${transform}`}${entry.part === undefined ? '' : ` (its part ${entry.part} of 3)`}`,
    );
  };
  if (transform === 'squeeze0') {
    if (shape.length !== 3 || shape[0] !== 1) misfit();
    shape = shape.slice(1);
  } else if (transform === 'transpose') {
    if (shape.length !== 2) misfit();
    data = transpose2d(data, shape[0], shape[1]);
    shape = [shape[1], shape[0]];
  }
  if (!sameShape(shape, whole)) misfit();
  if (entry.part !== undefined)
    return { shape: entry.shape, data: sliceLastAxis(data, shape, entry.part, 3) };
  return { shape, data };
}

/** Converts an in-memory HF GPT-2 state (names with or without "transformer.") to llmfs names. */
export function hfStateToLlmfs(hf: Map<string, NamedTensor>, cfg: MappingConfig): Map<string, NamedTensor> {
  const byCanon = new Map<string, [string, NamedTensor]>();
  for (const [name, t] of hf) byCanon.set(canonicalHfName(name), [name, t]);
  const out = new Map<string, NamedTensor>();
  const used = new Set<string>();
  for (const e of gpt2Mapping(cfg)) {
    let src = byCanon.get(e.hf);
    let transform = e.hfTransform;
    if (e.llmfs === 'out_head.weight' && byCanon.has('lm_head.weight')) {
      src = byCanon.get('lm_head.weight');
      transform = 'transpose';
      used.add('lm_head.weight');
    }
    if (!src) throw new WeightMappingError(`missing tensor "${e.hf}" (for ${e.llmfs})`);
    used.add(canonicalHfName(src[0]));
    out.set(e.llmfs, toLlmfs(e, src[1], src[0], transform));
  }
  for (const [canon, [name]] of byCanon) {
    if (used.has(canon) || isIgnoredHfName(canon)) continue;
    if (!cfg.qkvBias && /^h\.\d+\.attn\.c_attn\.bias$/.test(canon)) continue;
    throw new WeightMappingError(`unexpected tensor "${name}" for a ${cfg.nLayers}-layer GPT-2`);
  }
  return out;
}

/** Converts an in-memory OpenAI GPT-2 state (model/h0/...) to llmfs names. */
export function openaiStateToLlmfs(
  oa: Map<string, NamedTensor>,
  cfg: MappingConfig,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const e of gpt2Mapping(cfg)) {
    const src = oa.get(e.openai);
    if (!src) throw new WeightMappingError(`missing tensor "${e.openai}" (for ${e.llmfs})`);
    out.set(e.llmfs, toLlmfs(e, src, e.openai, e.openaiTransform));
  }
  return out;
}

/** An llmfs parameter of the state, checked against the mapping's shape. */
function checkedParameter(state: Map<string, NamedTensor>, e: MappingEntry): NamedTensor {
  const t = state.get(e.llmfs);
  if (!t) throw new WeightMappingError(`missing parameter "${e.llmfs}"`);
  if (!sameShape(t.shape, e.shape))
    throw new WeightMappingError(
      `parameter "${e.llmfs}" has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(e.shape)}`,
    );
  return t;
}

/**
 * Converts an llmfs state (name -> float32) to HF GPT-2 names ("transformer." prefix, Conv1D [in, out]).
 * The head is written as lm_head.weight [V, C] only when it differs from wte (`tied` false).
 */
export function llmfsStateToHf(
  state: Map<string, NamedTensor>,
  cfg: MappingConfig,
): { tensors: Map<string, NamedTensor>; tied: boolean } {
  const tensors = new Map<string, NamedTensor>();
  let tied = true;
  for (const f of gpt2FileTensors(cfg)) {
    const parts = f.entries.map((e) => checkedParameter(state, e).data);
    if (f.entries[0].llmfs === 'out_head.weight') {
      const [C, V] = f.shape;
      const head = transpose2d(parts[0], C, V); // [C, V] -> [V, C]
      const wte = state.get('tok_emb.weight')!.data;
      tied = head.length === wte.length && head.every((v, i) => Object.is(v, wte[i]));
      if (!tied) tensors.set('lm_head.weight', { shape: [V, C], data: head });
      continue;
    }
    tensors.set(`transformer.${f.hf}`, { shape: f.shape, data: joinParts(f, parts) });
  }
  if (!cfg.qkvBias) {
    // GPT-2 always has a c_attn bias; zeros keep a bias-free model's outputs unchanged in transformers.
    for (let i = 0; i < cfg.nLayers; i++)
      tensors.set(`transformer.h.${i}.attn.c_attn.bias`, {
        shape: [3 * cfg.embDim],
        data: new Float32Array(3 * cfg.embDim),
      });
  }
  return { tensors, tied };
}

/** Converts an llmfs state to OpenAI release names (conv weights get their leading 1). Head must be tied. */
export function llmfsStateToOpenai(
  state: Map<string, NamedTensor>,
  cfg: MappingConfig,
): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const f of gpt2FileTensors(cfg)) {
    const parts = f.entries.map((e) => checkedParameter(state, e).data);
    if (f.entries[0].llmfs === 'out_head.weight') {
      const head = transpose2d(parts[0], f.shape[0], f.shape[1]);
      const wte = state.get('tok_emb.weight')!.data;
      if (!head.every((v, i) => Object.is(v, wte[i]))) {
        throw new WeightMappingError(
          'out_head.weight differs from tok_emb.weight; the OpenAI layout has no separate output head',
        );
      }
      continue;
    }
    const data = joinParts(f, parts);
    out.set(f.openai, { shape: f.openaiTransform === 'squeeze0' ? [1, ...f.shape] : f.shape, data });
  }
  if (!cfg.qkvBias)
    for (let i = 0; i < cfg.nLayers; i++)
      out.set(`model/h${i}/attn/c_attn/b`, {
        shape: [3 * cfg.embDim],
        data: new Float32Array(3 * cfg.embDim),
      });
  return out;
}
