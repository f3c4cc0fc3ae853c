// @llmfs/trainer: pretraining (book ch05) and appendix D's training-loop extras. Every training command
// of llmfs and the demo's Train tab run on its one Trainer and its one trainStep. No Node API: storage
// goes through a CheckpointIO (@llmfs/gpt2-weights' gpt2CheckpointIO on Node).

// Chapter 5: the loss, evaluation and sampling helpers, by the book's names
export { textToTokenIds, tokenIdsToText } from './text-token-ids.js';
export { crossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
export { calcLossBatch } from './calc-loss-batch.js';
export { calcLossLoader } from './calc-loss-loader.js';
export { evaluateModel, type EvalLosses } from './evaluate-model.js';
export { generateAndPrintSample, type SampleOptions } from './generate-and-print-sample.js';
export { formatEvalLine, type EvalLineFields } from './format-eval-line.js';
export { plotLosses, type LossSeries } from './plot-losses.js';
export { trainModelSimple, type TrainModelSimpleResult } from './train-model-simple.js';

// Appendix D: AdamW, warmup + cosine decay, clipping
export { AdamW, type AdamWOptions, type AdamWStepOptions } from './adamw.js';
export { warmupCosineLr, type WarmupCosineOptions } from './warmup-cosine-lr.js';
export { clipGradNorm } from './clip-grad-norm.js';
export { findHighestGradient } from './find-highest-gradient.js';
export { trainModel, type TrainModelOptions, type TrainModelResult } from './train-model.js';

// The one step and the one loop
export { batchGrads, type BatchGrads, type BatchGradsOptions } from './batch-grads.js';
export { trainStep, type TrainStepOptions, type TrainStepResult } from './train-step.js';
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
export { collectRngs, type RngLike } from './rng-states.js';

// Checkpoints: the storage interface and the trainer's own files in a checkpoint
export { type CheckpointIO, TRAINING_STATE_FILE, TRAINER_STATE_FILE } from './checkpoint-io.js';
export { readTrainerState } from './trainer-state-file.js';

export type { BatchLike, LoaderLike, LossBatch, StepBatch, TrainableModel, TokenizerLike } from './types.js';
export { TrainerError, NonFiniteLossError, TrainerCheckpointError } from './errors.js';
