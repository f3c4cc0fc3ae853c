// Training checkpoints in GPT-2 file formats: the model as a Hugging Face GPT-2 directory
// (config.json + model.safetensors), the optimizer's moments as safetensors, the trainer's JSON beside
// them, all in a crash-safe checkpoint directory (checkpoint-store.ts). It has the shape of
// @llmfs/trainer's CheckpointIO (this package does not import the trainer). Node only, loaded lazily.
import * as tf from '@tensorflow/tfjs';
import type { GPTModel } from '@llmfs/gpt-model';
import { pruneCheckpoints, writeCheckpointDir } from './checkpoint-store.js';
import { writeFileAtomic } from './node-files.js';
import { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
import type { TensorToWrite } from './safetensors-writer.js';
import { saveModelDirectory } from './save-model-directory.js';

/** Checkpoint writes and reads for `llmfs pretrain` and the finetune commands. */
export const gpt2CheckpointIO = {
  async saveModel(dir: string, model: GPTModel): Promise<void> {
    await saveModelDirectory(dir, model);
  },
  async saveTensors(file: string, tensors: Map<string, tf.Tensor>): Promise<void> {
    const out = new Map<string, TensorToWrite>();
    for (const [name, t] of tensors)
      out.set(name, { shape: t.shape, data: async () => (await t.data()) as Float32Array });
    await writeSafetensors(file, out, { format: 'pt', llmfs: 'adamw-state' });
  },
  async loadTensors(file: string): Promise<Map<string, tf.Tensor>> {
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
  async exists(file: string): Promise<boolean> {
    const fs = await import('node:fs/promises');
    return fs.stat(file).then(
      () => true,
      () => false,
    );
  },
  async writeText(file: string, text: string): Promise<void> {
    await writeFileAtomic(file, [new TextEncoder().encode(text)]);
  },
  async readText(file: string): Promise<string> {
    const fs = await import('node:fs/promises');
    return fs.readFile(file, 'utf8');
  },
  writeCheckpoint: writeCheckpointDir,
  pruneCheckpoints,
};
