// The trainer's CheckpointIO built from @llmfs/gpt2-weights: model directories and safetensors files.
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import {
  openSafetensorsFile,
  saveModelDirectory,
  writeSafetensors,
  type TensorToWrite,
} from '@llmfs/gpt2-weights';
import type { CheckpointIO } from '@llmfs/trainer';

/** Checkpoint writes and reads for `llmfs pretrain` (HF GPT-2 model directories + safetensors state). */
export const gpt2CheckpointIO: CheckpointIO = {
  async saveModel(dir, model) {
    await saveModelDirectory(dir, model as unknown as GPTModel);
  },
  async saveTensors(file, tensors) {
    const out = new Map<string, TensorToWrite>();
    for (const [name, t] of tensors)
      out.set(name, { shape: t.shape, data: async () => (await t.data()) as Float32Array });
    await writeSafetensors(file, out, { format: 'pt', llmfs: 'adamw-state' });
  },
  async loadTensors(file) {
    const r = await openSafetensorsFile(file);
    try {
      const out = new Map<string, tf.Tensor>();
      for (const name of r.names()) {
        const t = await r.tensor(name);
        out.set(name, tf.tensor(t.data, t.shape, 'float32'));
      }
      return out;
    } finally {
      await r.close();
    }
  },
};
