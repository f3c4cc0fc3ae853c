// @llmfs/trainer: pretraining (book ch05) and appendix D's training-loop extras.
export { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export { calcLossBatch } from './calc-loss-batch.js';
export { calcLossLoader } from './calc-loss-loader.js';
export { batchGrads, type BatchGrads } from './batch-grads.js';
export {
  streamedBatchGrads,
  isStreamable,
  type StreamableModel,
  type StreamedOptions,
} from './streamed-batch-grads.js';
export { AdamW, type AdamWOptions, type AdamWStepOptions } from './adamw.js';
export { clipGradNorm, globalGradNorm, clipGradNormAsync, globalGradNormAsync } from './clip-grad-norm.js';
export { warmupCosineLr, type WarmupCosineOptions } from './warmup-cosine-lr.js';
export { generateSample, generateSampleAsync } from './generate-sample.js';
export { collectRngs, type RngLike } from './rng-states.js';
export {
  Trainer,
  type TrainerOptions,
  type TrainerEvents,
  type TrainResult,
  type TrainerState,
  type StepEvent,
  type EvalEvent,
  type SampleEvent,
  type CheckpointEvent,
} from './trainer.js';
export { trainModelSimple, type TrainModelSimpleResult } from './train-model-simple.js';
export {
  type CheckpointIO,
  type CheckpointEntry,
  MANIFEST_FILE,
  TRAINING_STATE_FILE,
  TRAINER_STATE_FILE,
  checkpointName,
  writeCheckpointDir,
  validateCheckpointDir,
  listCheckpoints,
  findResumeCheckpoint,
  pruneCheckpoints,
  removeCheckpointDir,
  writeFileAtomic,
} from './checkpoint-store.js';
export { readTrainerState } from './trainer-state-file.js';
export type { BatchLike, LoaderLike, TrainableModel, TokenizerLike } from './types.js';
export { TrainerError, NonFiniteLossError, TrainerCheckpointError } from './errors.js';
