// Attention weights of every layer and head for one prompt (book ch. 3): one forward pass with each
// MultiHeadAttention asked to keep its weights (`returnWeights`, [B, H, T, T]).
import * as tf from '@tensorflow/tfjs';
import { MultiHeadAttention } from '@llmfs/attention';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import type { GPTModel } from '@llmfs/gpt-model';
import { ModelFileError } from './errors.js';

/** Prompts are cut to this many tokens: a heatmap with more rows is unreadable. */
export const MAX_ATTENTION_TOKENS = 64;

/** Weights of all layers: `layers[l]` is [H, T, T] row-major (query row, key column). */
export interface AttentionMaps {
  tokens: string[];
  ids: number[];
  nLayers: number;
  nHeads: number;
  T: number;
  layers: Float32Array[];
}

/** The model's attention modules in layer order (found by walking its module tree). */
export function findAttentionModules(root: object): MultiHeadAttention[] {
  const found: MultiHeadAttention[] = [];
  const seen = new Set<object>();
  const walk = (o: unknown): void => {
    if (!o || typeof o !== 'object' || seen.has(o) || o instanceof tf.Tensor) return;
    seen.add(o);
    if (o instanceof MultiHeadAttention) {
      found.push(o);
      return;
    }
    if (Array.isArray(o) || o instanceof Map) {
      for (const v of o instanceof Map ? o.values() : o) walk(v);
      return;
    }
    if (Object.getPrototypeOf(o) === Object.prototype || 'namedParameters' in o) {
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(root);
  return found;
}

/** Runs `prompt` through `model` and returns every head's attention weights. */
export async function attentionMaps(model: GPTModel, prompt: string): Promise<AttentionMaps> {
  const enc = getEncoding('gpt2');
  const ids = enc
    .encode(prompt, { allowedSpecial: 'all' })
    .slice(0, Math.min(MAX_ATTENTION_TOKENS, model.cfg.contextLength));
  if (ids.length === 0) throw new ModelFileError('type a prompt first');
  const atts = findAttentionModules(model);
  if (atts.length === 0)
    throw new ModelFileError('this model has no MultiHeadAttention modules to look into');
  // Ask every attention module for its weights: wrap its innermost forward (forwardFlat(x, b, t, opts)
  // when it has one, which forward(x, opts) calls; else forward) to add returnWeights to the options.
  type AnyForward = (...args: unknown[]) => tf.Tensor;
  const method =
    typeof (atts[0] as unknown as { forwardFlat?: unknown }).forwardFlat === 'function'
      ? 'forwardFlat'
      : 'forward';
  const optsAt = method === 'forwardFlat' ? 3 : 1;
  const kept: tf.Tensor4D[] = [];
  const hooked = atts.map((a, i) => {
    const target = a as unknown as Record<string, AnyForward>;
    const original = target[method];
    target[method] = (...args: unknown[]) => {
      args[optsAt] = { ...(args[optsAt] as object | undefined), returnWeights: true };
      const out = original.apply(a, args);
      if (a.lastAttentionWeights) kept[i] = a.lastAttentionWeights;
      a.lastAttentionWeights = undefined;
      return out;
    };
    return target;
  });
  try {
    const input = tf.tensor2d([ids], [1, ids.length], 'int32');
    // every block still sees every position; only the last row of logits is made (on a small WebGPU
    // binding limit, [T, vocab] logits may not fit one binding)
    const logits = model.forward(input, { lastOnly: true });
    input.dispose();
    logits.dispose();
  } finally {
    for (const target of hooked) delete target[method]; // back to the prototype's method
  }
  if (kept.length !== atts.length || kept.some((w) => !w)) {
    for (const w of kept) w?.dispose();
    throw new ModelFileError(
      `only ${kept.filter(Boolean).length} of ${atts.length} attention layers reported weights`,
    );
  }
  const layers: Float32Array[] = [];
  for (const w of kept) {
    layers.push((await w.data()) as Float32Array); // [1, H, T, T]
    w.dispose();
  }
  return {
    tokens: ids.map((id) => enc.decode([id])),
    ids,
    nLayers: layers.length,
    nHeads: atts[0].numHeads,
    T: ids.length,
    layers,
  };
}
