// loadModelDirectory: a Hugging Face GPT-2 directory or OpenAI release folder -> a ready GPTModel (eval
// mode). Tensors are read and assigned one at a time, so peak memory stays near one model's size.
import * as tf from '@tensorflow/tfjs';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import {
  assignValues,
  createParameters,
  hostValues,
  isOnHost,
  peekValues,
  type ParameterPlacement,
} from '@llmfs/nn';
import { WeightMappingError } from './errors.js';
import { openWeightSource, type WeightSource } from './weight-source.js';

/** What loadModelDirectory returns. */
export interface LoadedModel {
  model: GPTModel;
  cfg: GPTConfig;
  /** The raw config.json (or hparams.json) object. */
  config: any;
  format: 'hf' | 'openai';
}

/** Options of {@link loadModelDirectory}. */
export interface LoadModelOptions {
  cfgOverrides?: Partial<GPTConfig>;
  /**
   * Where the parameters live, decided from the config before anything is allocated (nn's memory
   * plan): `onHost` keeps every parameter in host memory, so a model larger than the backend's memory
   * loads without ever being whole on the device.
   */
  placement?: ParameterPlacement | ((cfg: GPTConfig) => ParameterPlacement);
}

/** Loads weights from a model directory into a new GPTModel (no random init: every weight is read). */
export async function loadModelDirectory(dir: string, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const source = await openWeightSource(dir);
  try {
    const cfg = { ...source.cfg, ...opts.cfgOverrides };
    const placement = typeof opts.placement === 'function' ? opts.placement(cfg) : opts.placement;
    const model = createParameters({ ...placement, skipInit: true }, () => new GPTModel(cfg));
    try {
      await loadWeightsIntoGpt(model, source);
    } catch (err) {
      model.dispose();
      throw err;
    }
    model.eval();
    return { model, cfg, config: source.config, format: source.format };
  } finally {
    await source.close();
  }
}

/**
 * The book's `load_weights_into_gpt`: copies every parameter from `source` into `model`, checking shapes.
 * Each variable's old value is released as the new one is assigned.
 */
export async function loadWeightsIntoGpt(model: GPTModel, source: WeightSource): Promise<void> {
  const params = model.stateDict();
  const seen = new Set<string>();
  for (const e of source.mapping) {
    const v = params.get(e.llmfs);
    if (!v) throw new WeightMappingError(`the model has no parameter "${e.llmfs}" (config mismatch?)`);
    if (v.shape.length !== e.shape.length || v.shape.some((d, i) => d !== e.shape[i])) {
      throw new WeightMappingError(
        `parameter "${e.llmfs}" has shape ${JSON.stringify(v.shape)}, the weights ${JSON.stringify(e.shape)}`,
      );
    }
    if (
      e.llmfs === 'out_head.weight' &&
      source.tied &&
      params.has('tok_emb.weight') &&
      seen.has('tok_emb.weight')
    ) {
      // Tied head: transpose the loaded embedding instead of re-reading wte from disk.
      const emb = params.get('tok_emb.weight')!;
      // On webgpu the values just loaded are still in JavaScript: transposed there, since a GPU transpose
      // binds the whole embedding (GPT-2's 154 MB is over a 128 MiB binding limit: it would read as zeros).
      const cpu = isOnHost(emb)
        ? hostValues(emb)
        : tf.getBackend() === 'webgpu'
          ? (peekValues(emb) as Float32Array | undefined)
          : undefined;
      if (cpu) assignValues(v, transposeHost(cpu, emb.shape[0]!, emb.shape[1]!));
      else {
        const head = tf.tidy(() => tf.transpose(emb)); // (V, C) -> (C, V)
        v.assign(head);
        head.dispose();
      }
      seen.add(e.llmfs);
      continue;
    }
    const t = await source.read(e);
    if (isOnHost(v))
      assignValues(v, t.data); // written where it lives (host memory)
    else {
      const value = tf.tensor(t.data, t.shape, 'float32');
      v.assign(value);
      value.dispose();
    }
    seen.add(e.llmfs);
  }
  for (const name of params.keys()) {
    if (!seen.has(name)) throw new WeightMappingError(`${source.dir}: no weights for parameter "${name}"`);
  }
}

/** (rows, cols) row-major -> (cols, rows), in host memory. */
function transposeHost(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
