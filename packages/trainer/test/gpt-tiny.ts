// Test-only: the gpt-tiny fixture as a GPTModel from @llmfs/testing's plain-data state dict, so trainer
// checks its loss without @llmfs/gpt2-weights (which it may not import, docs/design.md).
import * as tf from '@tensorflow/tfjs';
import { GPT_TINY_CFG, gptTinyStateDict } from '@llmfs/testing';
import { GPTModel } from '@llmfs/gpt-model';

/** gpt-tiny as a GPTModel (eval mode), loaded from fixtures/gpt-tiny/hf/model.safetensors. */
export function loadGptTiny(): GPTModel {
  const sd = new Map<string, tf.Tensor>();
  for (const [name, r] of gptTinyStateDict()) sd.set(name, tf.tensor(r.data, r.shape));
  const model = new GPTModel({ ...GPT_TINY_CFG });
  model.loadStateDict(sd);
  tf.dispose([...sd.values()]);
  return model.eval();
}
