// Chapter 6: a finetuned classifier as a model directory. The backbone keeps GPT-2's Hugging Face names;
// the head is saved as `score.weight` [numClasses, C] (+ `score.bias`, which HF's
// GPT2ForSequenceClassification lacks and ignores) and config.json says GPT2ForSequenceClassification
// with id2label. LoRA adapters, when trained, sit beside it (adapter_model.safetensors).
import * as tf from '@tensorflow/tfjs';
import { GPTModel, type GPTConfig } from '@llmfs/gpt-model';
import { assignValues, createParameters, isOnHost, type ParameterPlacement } from '@llmfs/nn';
import {
  configFromHf,
  configToHf,
  gpt2FileTensors,
  joinParts,
  splitParts,
  openSafetensorsFile,
  transpose2d,
  writeSafetensors,
  type TensorToWrite,
} from '@llmfs/gpt2-weights';
import { addClassificationHead } from './classification-head.js';
import { ModelSetupError } from './errors.js';
import { hasLoraAdapters, loadLoraAdapters, saveLoraAdapters } from './lora-adapters.js';
import { findLoraLayers } from './replace-linear-with-lora.js';

/** The Hugging Face architecture name written to config.json. */
export const CLASSIFIER_ARCHITECTURE = 'GPT2ForSequenceClassification';

/** What a classifier directory records beside the weights. */
export interface ClassifierInfo {
  /** Class names in label order (the book: ["not spam", "spam"] for ham 0, spam 1). */
  classes: string[];
  /** Padding length used in training (the book: 120); classify pads to it. */
  maxLength?: number;
}

/** True when a config.json object describes a classifier saved by saveClassifierDirectory (or HF). */
export function isClassifierConfig(config: any): boolean {
  return Array.isArray(config?.architectures) && config.architectures.includes(CLASSIFIER_ARCHITECTURE);
}

/** Writes a classifier (GPTModel with a classification out_head, LoRA-wrapped or not) to `dir`. */
export async function saveClassifierDirectory(
  dir: string,
  model: GPTModel,
  info: ClassifierInfo,
): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const cfg = model.cfg;
  const params = model.stateDict();
  const numClasses = model.out_head.outFeatures;
  if (info.classes.length !== numClasses)
    throw new ModelSetupError(`${info.classes.length} class names for a head with ${numClasses} outputs`);
  const read = async (name: string): Promise<Float32Array> => {
    const v = params.get(name);
    if (!v) throw new ModelSetupError(`missing parameter '${name}'`);
    return (await v.data()) as Float32Array;
  };
  const tensors = new Map<string, TensorToWrite>();
  for (const f of gpt2FileTensors(cfg)) {
    if (f.entries[0].llmfs === 'out_head.weight') continue;
    tensors.set(`transformer.${f.hf}`, {
      shape: f.shape,
      data: async () => joinParts(f, await Promise.all(f.entries.map((e) => read(e.llmfs)))),
    }); // c_attn: W_query | W_key | W_value side by side
  }
  if (!cfg.qkvBias) {
    // GPT-2 always has a c_attn bias: zeros keep the file loadable in transformers
    for (let i = 0; i < cfg.nLayers; i++)
      tensors.set(`transformer.h.${i}.attn.c_attn.bias`, {
        shape: [3 * cfg.embDim],
        data: new Float32Array(3 * cfg.embDim),
      });
  }
  tensors.set('score.weight', {
    shape: [numClasses, cfg.embDim],
    data: async () => transpose2d(await read('out_head.weight'), cfg.embDim, numClasses),
  }); // [C, K] -> [K, C]
  if (params.has('out_head.bias'))
    tensors.set('score.bias', { shape: [numClasses], data: () => read('out_head.bias') });
  await fs.mkdir(dir, { recursive: true });
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const id2label = Object.fromEntries(info.classes.map((c, i) => [String(i), c]));
  const label2id = Object.fromEntries(info.classes.map((c, i) => [c, i]));
  const config = configToHf(cfg, {
    tied: true,
    extra: {
      architectures: [CLASSIFIER_ARCHITECTURE],
      num_labels: numClasses,
      id2label,
      label2id,
      problem_type: 'single_label_classification',
      llmfs_classifier: {
        max_length: info.maxLength ?? null,
        pooling: 'last_token',
        head_bias: params.has('out_head.bias'),
      },
    },
  });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  if (findLoraLayers(model).length > 0) await saveLoraAdapters(dir, model);
}

/** What loadClassifierDirectory returns. */
export interface LoadedClassifier extends ClassifierInfo {
  model: GPTModel;
  cfg: GPTConfig;
  config: any;
}

/** Loads a classifier directory (adapters, if any, merged in); the model is in eval mode. */
export async function loadClassifierDirectory(
  dir: string,
  opts: { placement?: (cfg: GPTConfig) => ParameterPlacement } = {},
): Promise<LoadedClassifier> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const cfgPath = path.join(dir, 'config.json');
  const config = JSON.parse(await fs.readFile(cfgPath, 'utf8'));
  if (!isClassifierConfig(config))
    throw new ModelSetupError(
      `${cfgPath}: not a classifier (architectures has no ${CLASSIFIER_ARCHITECTURE})`,
    );
  const cfg = configFromHf(config, cfgPath);
  const numClasses = Number(config.num_labels ?? Object.keys(config.id2label ?? {}).length);
  const classes = Array.from({ length: numClasses }, (_, i) =>
    String(config.id2label?.[String(i)] ?? `LABEL_${i}`),
  );
  // every weight is read below: no random init; placed where the caller's memory plan wants it
  const model = createParameters({ ...opts.placement?.(cfg), skipInit: true }, () =>
    addClassificationHead(new GPTModel(cfg), numClasses),
  );
  const reader = await openSafetensorsFile(path.join(dir, 'model.safetensors'));
  const params = model.stateDict();
  const assign = (name: string, data: Float32Array, shape: number[]) => {
    const v = params.get(name)!;
    if (v.shape.join(',') !== shape.join(','))
      throw new ModelSetupError(`${dir}: '${name}' is [${shape}], the model expects [${v.shape}]`);
    if (isOnHost(v)) return assignValues(v, data);
    const t = tf.tensor(data, shape, 'float32');
    v.assign(t);
    t.dispose();
  };
  try {
    const names = new Set(reader.names());
    const find = (hf: string) => [`transformer.${hf}`, hf].find((n) => names.has(n));
    for (const f of gpt2FileTensors(cfg)) {
      if (f.entries[0].llmfs === 'out_head.weight') continue;
      const name = find(f.hf);
      if (!name) throw new ModelSetupError(`${dir}/model.safetensors: no tensor 'transformer.${f.hf}'`);
      const t = await reader.tensor(name);
      if (t.shape.join(',') !== f.shape.join(','))
        throw new ModelSetupError(`${dir}: '${name}' is [${t.shape}], the model expects [${f.shape}]`);
      // c_attn splits into W_query, W_key, W_value
      splitParts(f, t.data).forEach((d, i) => assign(f.entries[i].llmfs, d, f.entries[i].shape));
    }
    if (!names.has('score.weight'))
      throw new ModelSetupError(`${dir}/model.safetensors: no tensor 'score.weight'`);
    const w = await reader.tensor('score.weight'); // [K, C]
    assign('out_head.weight', transpose2d(w.data, w.shape[0], w.shape[1]), [w.shape[1], w.shape[0]]);
    if (names.has('score.bias')) {
      const b = await reader.tensor('score.bias');
      assign('out_head.bias', b.data, b.shape);
    } else model.out_head.bias?.assign(tf.zeros([numClasses]));
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    await reader.close();
  }
  if (await hasLoraAdapters(dir)) await loadLoraAdapters(dir, model, { merge: true });
  model.eval();
  const maxLength = config.llmfs_classifier?.max_length ?? undefined;
  return { model, cfg, config, classes, maxLength: maxLength === null ? undefined : maxLength };
}
