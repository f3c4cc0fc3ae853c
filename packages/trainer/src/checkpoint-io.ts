// How the trainer reaches storage: every file of a checkpoint (the model, the optimizer's moments,
// trainer_state.json) goes through a CheckpointIO, so the Trainer itself needs no Node API and runs in a
// browser. @llmfs/gpt2-weights' gpt2CheckpointIO is the Node implementation (crash-safe directories,
// Hugging Face GPT-2 model directories, safetensors).
import type * as tf from '@tensorflow/tfjs';
import type { TrainableModel } from './types.js';

/** Storage of training checkpoints. Paths are strings joined with '/'. */
export interface CheckpointIO {
  /** Writes a model directory (config.json + model.safetensors) into `dir` (which exists). */
  saveModel(dir: string, model: TrainableModel): Promise<void>;
  /** Writes named tensors to one file. */
  saveTensors(file: string, tensors: Map<string, tf.Tensor>): Promise<void>;
  /** Reads named tensors back (the caller disposes them). */
  loadTensors(file: string): Promise<Map<string, tf.Tensor>>;
  exists(file: string): Promise<boolean>;
  writeText(file: string, text: string): Promise<void>;
  readText(file: string): Promise<string>;
  /**
   * Writes the checkpoint of `step` under `root`: `fill(dir)` writes its files into a directory that
   * becomes the returned checkpoint only once complete (a crash never leaves a half one that looks whole).
   */
  writeCheckpoint(root: string, step: number, fill: (dir: string) => Promise<void>): Promise<string>;
  /** Keeps the newest `keepLast` checkpoints under `root`. */
  pruneCheckpoints(root: string, keepLast: number): Promise<void>;
}

/** Optimizer moments, by parameter name. */
export const TRAINING_STATE_FILE = 'training_state.safetensors';
/** Step, epoch, data position, RNG states, schedule, losses. */
export const TRAINER_STATE_FILE = 'trainer_state.json';

/** `dir/name` (forward slashes work on every platform Node and browsers run on). */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`;
}
