// Test-only: the gpt-tiny fixture as a GPTModel, from @llmfs/testing's plain-data state dict (the real
// loader lives in @llmfs/gpt2-weights; this lets gpt-model prove its numerics on its own).
import * as tf from '@tensorflow/tfjs';
import { GPT_TINY_CFG as CFG, gptTinyStateDict, meanCrossEntropyF64 } from '@llmfs/testing';
import { GPTModel } from '../src/index.js';
import type { GPTConfig } from '../src/index.js';

export { readSafetensorsF32 } from '@llmfs/testing';
export const GPT_TINY_CFG: GPTConfig = { ...CFG };

/** gpt-tiny as a GPTModel (eval mode), loaded from fixtures/gpt-tiny/hf/model.safetensors. */
export function loadGptTiny(): GPTModel {
  const sd = new Map<string, tf.Tensor>();
  for (const [name, r] of gptTinyStateDict()) sd.set(name, tf.tensor(r.data, r.shape));
  const model = new GPTModel(GPT_TINY_CFG);
  model.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return model.eval();
}

/** Mean cross-entropy of logits [B,T,V] against targets [B,T], in float64 (the oracle for the loss). */
export async function meanCrossEntropy(logits: tf.Tensor3D, targets: number[][]): Promise<number> {
  return meanCrossEntropyF64(await logits.data(), targets.flat(), logits.shape[2]);
}
