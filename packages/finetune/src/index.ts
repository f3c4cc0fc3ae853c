// @llmfs/finetune: classification finetuning (book ch. 6), instruction finetuning (ch. 7), LoRA (app. E).
// The public names are the book's and what the llmfs CLI needs; training runs on @llmfs/trainer's Trainer.
export {
  FinetuneError,
  DataFormatError,
  JudgeUnavailableError,
  JudgeResponseError,
  ModelSetupError,
} from './errors.js';
export { END_OF_TEXT_ID, type TextTokenizer } from './tokenizer.js';
export type { TokenBatch, LabelBatch, BatchLoader } from './batch.js';

// Chapter 6: classification
export { SPAM_CLASSES, readSpamData, createBalancedDataset, randomSplit, type SpamRow } from './spam-data.js';
export { downloadSpamData, type DownloadSpamOptions } from './download-spam-data.js';
export {
  SpamDataset,
  createSpamDataLoader,
  type SpamDatasetOptions,
  type SpamLoaderOptions,
} from './spam-dataset.js';
export { addClassificationHead, freezeForClassification, type FreezeOptions } from './classification-head.js';
export { calcLossBatch, calcLossLoader, calcAccuracyLoader } from './classifier-loss.js';
export {
  trainClassifierSimple,
  type TrainClassifierOptions,
  type TrainClassifierResult,
} from './train-classifier-simple.js';
export { classifyReview, type Classification } from './classify-review.js';
export {
  saveClassifierDirectory,
  loadClassifierDirectory,
  type ClassifierInfo,
  type LoadedClassifier,
} from './classifier-directory.js';

// Chapter 7: instruction finetuning
export {
  parseInstructionData,
  loadInstructionData,
  splitInstructionData,
  type InstructionEntry,
} from './instruction-data.js';
export { formatInput, type PromptFields } from './format-input.js';
export { extractResponse } from './extract-response.js';
export { InstructionDataset, type EncodedInstruction } from './instruction-dataset.js';
export { customCollateFn, type CollateOptions } from './custom-collate-fn.js';
export {
  createInstructionDataLoader,
  type InstructionLoaderOptions,
} from './create-instruction-data-loader.js';
export {
  generateResponse,
  generateResponses,
  saveResponses,
  type ResponseOptions,
} from './generate-responses.js';
export { queryModel, generateModelScores, type JudgeOptions, type ScoreResult } from './ollama-judge.js';
export { saveFinetunedModel, loadFinetunedModel } from './finetuned-model-directory.js';

// Appendix E: LoRA
export { LoRALayer, type LoRALayerOptions } from './lora-layer.js';
export { LinearWithLoRA, type LinearWithLoRAOptions } from './linear-with-lora.js';
export { replaceLinearWithLora, mergeLora, type ReplaceLoraOptions } from './replace-linear-with-lora.js';
export { saveLoraAdapters, loadLoraAdapters } from './lora-adapters.js';
